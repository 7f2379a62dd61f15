"""Demo people: a supervisor, operators of both lines with skills, and citizens.

Their passwords are printed by `seed_demo` and exist only outside production."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from gosupport.models import Line, Role, User
from gosupport.services import citizen_register
from gosupport.staff import staff_member_upsert

SUPERVISOR_PASSWORD = "Supervise-Demo-2026"
OPERATOR_PASSWORD = "Answer-Demo-2026"
CITIZEN_PASSWORD = "Citizen-Demo-2026"
RECOVERY_CODES_PER_PERSON = 5
RECOVERY_DEVICE_NAME = "demo recovery codes"


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    skills: tuple[str, ...] = ()
    line: int = Line.FIRST
    senior: bool = False
    supervisor: bool = False


@dataclass(frozen=True)
class CitizenSpec:
    email: str
    last_name: str
    first_name: str
    middle_name: str
    birth_date: date
    phone: str


SUPERVISOR = StaffSpec("supervisor", "Светлана", "Морозова", supervisor=True)
OPERATORS = (
    StaffSpec(
        "operator", "Ольга", "Иванова", ("account-access", "sms-codes", "identity", "browser-app", "forms", "general")
    ),
    StaffSpec(
        "operator2",
        "Дмитрий",
        "Соколов",
        ("applications", "processing-times", "rejection-appeal", "documents", "general"),
    ),
    StaffSpec(
        "operator3", "Анна", "Васильева", ("payments", "appointments", "e-signature", "personal-data", "general")
    ),
    StaffSpec("senior", "Игорь", "Лебедев", senior=True),
    StaffSpec(
        "expert",
        "Татьяна",
        "Новикова",
        ("identity", "e-signature", "payments", "rejection-appeal", "documents", "complaint-service"),
        line=Line.SECOND,
    ),
    StaffSpec("expert2", "Павел", "Козлов", line=Line.SECOND, senior=True),
)
CITIZENS = (
    CitizenSpec("ivan.petrov@example.ru", "Петров", "Иван", "Сергеевич", date(1985, 3, 14), "+79165550101"),
    CitizenSpec("maria.smirnova@example.ru", "Смирнова", "Мария", "Александровна", date(1992, 7, 2), "+79165550102"),
    CitizenSpec("aleksey.kuznetsov@example.ru", "Кузнецов", "Алексей", "Игоревич", date(1978, 11, 23), "+79165550103"),
    CitizenSpec("elena.popova@example.ru", "Попова", "Елена", "Викторовна", date(1965, 1, 30), "+79165550104"),
    CitizenSpec("nikolay.volkov@example.ru", "Волков", "Николай", "Петрович", date(1950, 5, 9), "+79165550105"),
    CitizenSpec("daria.fedorova@example.ru", "Фёдорова", "Дарья", "Олеговна", date(2001, 9, 17), "+79165550106"),
    CitizenSpec("artem.zaytsev@example.ru", "Зайцев", "Артём", "Денисович", date(1996, 12, 1), "+79165550107"),
    CitizenSpec("svetlana.orlova@example.ru", "Орлова", "Светлана", "Юрьевна", date(1971, 4, 21), "+79165550108"),
)


@dataclass
class DemoPeople:
    supervisor: User
    operators: list[User]
    citizens: list[User]
    recovery_codes: dict[str, list[str]] = field(default_factory=dict)


def staff_seed(spec: StaffSpec) -> User:
    return staff_member_upsert(
        username=spec.username,
        password=SUPERVISOR_PASSWORD if spec.supervisor else OPERATOR_PASSWORD,
        category_slugs=list(spec.skills),
        line=spec.line,
        supervisor=spec.supervisor,
        senior=spec.senior,
        first_name=spec.first_name,
        last_name=spec.last_name,
        email=f"{spec.username}@gosupport.local",
    )


def citizen_seed(spec: CitizenSpec) -> User:
    """Register the citizen through the real sign-up once; later runs keep the account."""
    existing = User.objects.filter(email__iexact=spec.email).first()
    if existing is None:
        return citizen_register(
            last_name=spec.last_name,
            first_name=spec.first_name,
            middle_name=spec.middle_name,
            birth_date=spec.birth_date,
            phone=spec.phone,
            email=spec.email,
            password=CITIZEN_PASSWORD,
        )
    if existing.role != Role.CITIZEN:
        raise ValidationError(
            _("%(email)s belongs to a staff account; the demo needs it for a citizen.") % {"email": spec.email}
        )
    return existing


def recovery_codes_reset(user: User) -> list[str]:
    """Fresh single-use second-factor codes, so demo staff pass STAFF_2FA_REQUIRED."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODES_PER_PERSON)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def people_seed() -> DemoPeople:
    supervisor = staff_seed(SUPERVISOR)
    operators = [staff_seed(spec) for spec in OPERATORS]
    citizens = [citizen_seed(spec) for spec in CITIZENS]
    codes = {user.username: recovery_codes_reset(user) for user in [supervisor, *operators]}
    return DemoPeople(supervisor=supervisor, operators=operators, citizens=citizens, recovery_codes=codes)

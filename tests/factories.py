import factory
from django.contrib.auth import get_user_model

from gosupport.models import Category, OperatorProfile, Presence, Role
from tickets.models import Channel, SlaPolicy


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    title = factory.Sequence(lambda n: f"Категория {n}")
    title_en = factory.Sequence(lambda n: f"Category {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.ru")
    first_name = "Иван"
    last_name = "Петров"
    role = Role.CITIZEN
    password = factory.django.Password("correct-horse-42")


class OperatorFactory(UserFactory):
    role = Role.OPERATOR

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        if not create:
            return
        skills = kwargs.pop("skills", [])
        kwargs.setdefault("presence", Presence.ONLINE)
        profile = OperatorProfile.objects.create(user=obj, **kwargs)
        profile.skills.set(skills)


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy

    name = factory.Sequence(lambda n: f"policy {n}")
    channel = Channel.FORM
    first_response_seconds = 24 * 3600
    resolution_seconds = 48 * 3600

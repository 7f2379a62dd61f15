"""The booking service: book, confirm, move, cancel, check in, serve, and bad input
that stores nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from appointments import services
from appointments.models import Booking, BookingEvent, BookingEventKind, BookingStatus
from appointments.selectors import access_booking, access_own_booking
from appointments.slots import free_slots
from gosupport.models import Notification
from gosupport.privacy import ProcessingRestricted
from tests.appointments.conftest import msk
from tests.appointments.factories import ServiceCentreFactory, ServiceFactory

TUESDAY_10 = msk(2027, 3, 2, 10, 0)


def _book(citizen, centre, service, start=TUESDAY_10, now=None, **extra):
    return services.booking_create(
        citizen=citizen, centre=centre, service=service, start=start, now=now or msk(2027, 3, 1, 8), **extra
    )


def _nothing_stored():
    assert Booking.objects.count() == 0
    assert BookingEvent.objects.count() == 0
    assert Notification.objects.count() == 0


def test_citizen_books_a_free_slot(citizen_a, centre, passport, now):
    booking = _book(citizen_a, centre, passport, comment="  Замена паспорта  ", now=now)

    assert len(booking.code) == services.CODE_LENGTH
    assert set(booking.code) <= set(services.CODE_ALPHABET)
    assert booking.status == BookingStatus.AWAITING_CONFIRMATION
    assert (booking.start, booking.end) == (TUESDAY_10, TUESDAY_10 + timedelta(minutes=30))
    assert booking.window_no == 1
    assert booking.comment == "Замена паспорта"
    assert list(booking.events.values_list("kind", flat=True)) == [BookingEventKind.CREATED]
    sent = Notification.objects.filter(reference=f"booking:{booking.code}:booked")
    assert sorted(sent.values_list("channel", flat=True)) == ["email", "sms"]
    assert booking.code in sent.get(channel="email").body


def test_second_booking_of_the_slot_takes_the_next_window(citizen_a, citizen_b, centre, passport, now):
    first = _book(citizen_a, centre, passport, now=now)
    second = _book(citizen_b, centre, passport, now=now)

    assert (first.window_no, second.window_no) == (1, 2)


def test_when_every_window_is_taken_the_loser_gets_nearest_alternatives(
    citizen_a, citizen_b, one_window_centre, passport, now
):
    _book(citizen_a, one_window_centre, passport, now=now)

    with pytest.raises(services.SlotTaken) as taken:
        _book(citizen_b, one_window_centre, passport, now=now)

    assert str(taken.value)
    starts = [slot.start for slot in taken.value.alternatives]
    assert starts == [msk(2027, 3, 2, 9, 0), msk(2027, 3, 2, 9, 30), msk(2027, 3, 2, 10, 30)]
    assert Booking.objects.filter(citizen=citizen_b).count() == 0


def test_overlapping_service_lengths_share_windows_correctly(
    citizen_a, citizen_b, one_window_centre, passport, snils, now
):
    one_window_centre.services.add(snils)
    _book(citizen_a, one_window_centre, passport, now=now)  # 10:00–10:30

    with pytest.raises(services.SlotTaken):
        _book(citizen_b, one_window_centre, snils, start=msk(2027, 3, 2, 10, 15), now=now)
    assert _book(citizen_b, one_window_centre, snils, start=msk(2027, 3, 2, 10, 30), now=now).window_no == 1


@pytest.mark.parametrize(
    ("start", "field"),
    [
        (msk(2027, 3, 2, 10, 10), "start"),  # not a slot
        (msk(2027, 3, 2, 19, 0), "start"),  # after closing
        (msk(2027, 3, 8, 10, 0), "start"),  # public holiday
        (msk(2027, 2, 27, 10, 0), "start"),  # in the past
        (msk(2027, 6, 1, 10, 0), "start"),  # beyond the booking horizon
    ],
)
def test_bad_times_are_refused_and_store_nothing(citizen_a, centre, passport, now, start, field):
    with pytest.raises(ValidationError) as error:
        _book(citizen_a, centre, passport, start=start, now=now)

    assert field in error.value.message_dict
    _nothing_stored()


def test_naive_time_is_refused(citizen_a, centre, passport, now):
    with pytest.raises(ValidationError) as error:
        _book(citizen_a, centre, passport, start=TUESDAY_10.replace(tzinfo=None), now=now)
    assert "start" in error.value.message_dict
    _nothing_stored()


def test_a_service_the_centre_does_not_offer_is_refused(citizen_a, centre, now):
    other = ServiceFactory(slug="driving-licence")

    with pytest.raises(ValidationError) as error:
        _book(citizen_a, centre, other, now=now)
    assert "service" in error.value.message_dict
    _nothing_stored()


def test_a_centre_without_online_booking_is_refused(citizen_a, passport, now):
    walk_in = ServiceCentreFactory(online_booking=False, services=[passport])

    with pytest.raises(ValidationError) as error:
        _book(citizen_a, walk_in, passport, now=now)
    assert "centre" in error.value.message_dict
    _nothing_stored()


def test_a_too_long_comment_is_refused(citizen_a, centre, passport, now):
    with pytest.raises(ValidationError) as error:
        _book(citizen_a, centre, passport, comment="х" * 501, now=now)
    assert "comment" in error.value.message_dict
    _nothing_stored()


def test_staff_cannot_book_as_a_citizen(operator_of_queue, centre, passport, now):
    with pytest.raises(PermissionDenied):
        _book(operator_of_queue, centre, passport, now=now)
    _nothing_stored()


def test_restricted_processing_refuses_a_booking(citizen_a, centre, passport, now):
    citizen_a.processing_restricted_at = now
    citizen_a.save()

    with pytest.raises(ProcessingRestricted):
        _book(citizen_a, centre, passport, now=now)
    _nothing_stored()


def test_a_citizen_may_hold_a_limited_number_of_upcoming_visits(citizen_a, centre, passport, now):
    for n in range(services.MAX_ACTIVE_BOOKINGS):
        _book(citizen_a, centre, passport, start=TUESDAY_10 + timedelta(minutes=30 * n), now=now)

    with pytest.raises(ValidationError):
        _book(citizen_a, centre, passport, start=msk(2027, 3, 3, 10), now=now)
    assert Booking.objects.count() == services.MAX_ACTIVE_BOOKINGS


# --- confirm


def test_citizen_confirms_a_booking_once(citizen_a, centre, passport, now):
    booking = _book(citizen_a, centre, passport, now=now)

    confirmed = services.booking_confirm(booking=booking, actor=citizen_a, now=now)
    again = services.booking_confirm(booking=booking, actor=citizen_a, now=now + timedelta(minutes=5))

    assert confirmed.status == again.status == BookingStatus.CONFIRMED
    assert again.confirmed_at == now
    assert booking.events.filter(kind=BookingEventKind.CONFIRMED).count() == 1


def test_a_cancelled_booking_cannot_be_confirmed(citizen_a, centre, passport, now):
    booking = _book(citizen_a, centre, passport, now=now)
    services.booking_cancel(booking=booking, actor=citizen_a, now=now)

    with pytest.raises(services.BookingConflict):
        services.booking_confirm(booking=booking, actor=citizen_a, now=now)


# --- cancel and the 24-hour rule


def test_citizen_cancels_up_to_24_hours_before_and_the_window_is_free_again(
    citizen_a, one_window_centre, passport, now
):
    booking = _book(citizen_a, one_window_centre, passport, now=now)

    services.booking_cancel(booking=booking, actor=citizen_a, now=TUESDAY_10 - timedelta(hours=24))

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    slot = next(
        s
        for s in free_slots(centre=one_window_centre, service=passport, day=TUESDAY_10.date(), now=now)
        if s.start == TUESDAY_10
    )
    assert slot.free == 1
    assert Notification.objects.filter(reference=f"booking:{booking.code}:cancelled").exists()


def test_citizen_cannot_cancel_within_24_hours_of_the_visit(citizen_a, centre, passport, now):
    booking = _book(citizen_a, centre, passport, now=now)

    with pytest.raises(services.BookingConflict) as conflict:
        services.booking_cancel(booking=booking, actor=citizen_a, now=TUESDAY_10 - timedelta(hours=23, minutes=59))

    assert "24" in str(conflict.value)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_CONFIRMATION
    assert not booking.events.filter(kind=BookingEventKind.CANCELLED).exists()


def test_centre_staff_may_cancel_within_24_hours(citizen_a, centre, passport, centre_operator, now):
    booking = _book(citizen_a, centre, passport, now=now)

    services.booking_cancel(
        booking=booking, actor=centre_operator, reason="Power cut", now=TUESDAY_10 - timedelta(hours=2)
    )

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.events.get(kind=BookingEventKind.CANCELLED).comment == "Power cut"


# --- reschedule


def test_reschedule_frees_the_old_slot_and_keeps_history(citizen_a, citizen_b, one_window_centre, passport, now):
    booking = _book(citizen_a, one_window_centre, passport, now=now)
    new_start = msk(2027, 3, 3, 14, 0)

    moved = services.booking_reschedule(booking=booking, actor=citizen_a, start=new_start, now=now)

    assert (moved.code, moved.start, moved.end) == (booking.code, new_start, new_start + timedelta(minutes=30))
    event = moved.events.get(kind=BookingEventKind.RESCHEDULED)
    assert (event.from_start, event.to_start) == (TUESDAY_10, new_start)
    assert _book(citizen_b, one_window_centre, passport, now=now).start == TUESDAY_10
    assert Notification.objects.filter(reference=f"booking:{booking.code}:rescheduled").count() == 2


def test_reschedule_to_an_overlapping_time_of_the_same_window_works(citizen_a, one_window_centre, passport, snils, now):
    one_window_centre.services.add(snils)
    booking = _book(citizen_a, one_window_centre, snils, now=now)  # 10:00–10:15

    moved = services.booking_reschedule(booking=booking, actor=citizen_a, start=msk(2027, 3, 2, 10, 15), now=now)

    assert moved.start == msk(2027, 3, 2, 10, 15)


def test_reschedule_to_a_taken_time_changes_nothing(citizen_a, citizen_b, one_window_centre, passport, now):
    taken = _book(citizen_b, one_window_centre, passport, start=msk(2027, 3, 3, 14, 0), now=now)
    booking = _book(citizen_a, one_window_centre, passport, now=now)

    with pytest.raises(services.SlotTaken):
        services.booking_reschedule(booking=booking, actor=citizen_a, start=taken.start, now=now)

    booking.refresh_from_db()
    assert booking.start == TUESDAY_10
    assert not booking.events.filter(kind=BookingEventKind.RESCHEDULED).exists()


def test_reschedule_resets_reminders_for_the_new_time(citizen_a, centre, passport):
    booking = _book(citizen_a, centre, passport, now=msk(2027, 3, 1, 12))  # 22 h ahead: 24 h reminder moot
    assert booking.reminder_24h_at is not None and booking.reminder_2h_at is None

    moved = services.booking_reschedule(
        booking=booking, actor=citizen_a, start=msk(2027, 3, 5, 10), now=msk(2027, 3, 1, 9)
    )

    assert moved.reminder_24h_at is None and moved.reminder_2h_at is None


def test_citizen_cannot_move_a_visit_within_24_hours(citizen_a, centre, passport, now):
    booking = _book(citizen_a, centre, passport, now=now)

    with pytest.raises(services.BookingConflict):
        services.booking_reschedule(
            booking=booking, actor=citizen_a, start=msk(2027, 3, 4, 10), now=TUESDAY_10 - timedelta(hours=3)
        )


def test_reschedule_to_the_same_time_or_a_bad_time_is_refused(citizen_a, centre, passport, now):
    booking = _book(citizen_a, centre, passport, now=now)

    for start in (TUESDAY_10, msk(2027, 3, 2, 10, 7), msk(2027, 3, 7, 10)):
        with pytest.raises(ValidationError):
            services.booking_reschedule(booking=booking, actor=citizen_a, start=start, now=now)
    booking.refresh_from_db()
    assert booking.start == TUESDAY_10


# --- who may see and change a booking


def test_citizen_cannot_see_another_citizens_booking(citizen_a, citizen_b, centre, passport, now):
    booking = _book(citizen_a, centre, passport, now=now)

    with pytest.raises(Http404):
        access_booking(citizen_b, booking.code)
    with pytest.raises(Http404):
        access_own_booking(citizen_b, booking.code)
    assert access_booking(citizen_a, booking.code.lower()) == booking


def test_citizen_cannot_move_or_cancel_another_citizens_booking(citizen_a, citizen_b, centre, passport, now):
    booking = _book(citizen_a, centre, passport, now=now)

    with pytest.raises(PermissionDenied):
        services.booking_reschedule(booking=booking, actor=citizen_b, start=msk(2027, 3, 3, 10), now=now)
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=booking, actor=citizen_b, now=now)
    booking.refresh_from_db()
    assert (booking.start, booking.status) == (TUESDAY_10, BookingStatus.AWAITING_CONFIRMATION)


def test_operator_of_another_centre_cannot_see_the_booking(citizen_a, centre, passport, operator_of_queue, now):
    booking = _book(citizen_a, centre, passport, now=now)

    with pytest.raises(Http404):
        access_booking(operator_of_queue, booking.code)
    with pytest.raises(PermissionDenied):
        services.booking_check_in(booking=booking, staff=operator_of_queue, now=TUESDAY_10)


# --- at the centre


def test_staff_check_in_confirms_and_served_completes(citizen_a, centre, passport, centre_operator, now):
    booking = _book(citizen_a, centre, passport, now=now)

    services.booking_check_in(booking=booking, staff=centre_operator, now=TUESDAY_10 - timedelta(minutes=10))
    served = services.booking_mark_served(
        booking=booking, staff=centre_operator, now=TUESDAY_10 + timedelta(minutes=20)
    )

    assert served.status == BookingStatus.COMPLETED
    assert served.checked_in_at == TUESDAY_10 - timedelta(minutes=10)
    kinds = list(served.events.values_list("kind", flat=True))
    assert kinds == [BookingEventKind.CREATED, BookingEventKind.CHECKED_IN, BookingEventKind.SERVED]


def test_check_in_on_another_day_or_twice_is_refused(citizen_a, centre, passport, centre_operator, now):
    booking = _book(citizen_a, centre, passport, now=now)

    with pytest.raises(services.BookingConflict):
        services.booking_check_in(booking=booking, staff=centre_operator, now=now)
    services.booking_check_in(booking=booking, staff=centre_operator, now=TUESDAY_10)
    with pytest.raises(services.BookingConflict):
        services.booking_check_in(booking=booking, staff=centre_operator, now=TUESDAY_10)


def test_served_needs_a_check_in_first(citizen_a, centre, passport, centre_operator, now):
    booking = _book(citizen_a, centre, passport, now=now)

    with pytest.raises(services.BookingConflict):
        services.booking_mark_served(booking=booking, staff=centre_operator, now=TUESDAY_10)


def test_staff_marks_a_no_show_only_after_the_visit_began(citizen_a, centre, passport, centre_operator, now):
    booking = _book(citizen_a, centre, passport, now=now)

    with pytest.raises(services.BookingConflict):
        services.booking_mark_no_show(booking=booking, staff=centre_operator, now=now)
    marked = services.booking_mark_no_show(
        booking=booking, staff=centre_operator, now=TUESDAY_10 + timedelta(minutes=15)
    )
    assert marked.status == BookingStatus.NO_SHOW

from datetime import time

import factory

from appointments.models import Service, ServiceCentre, WeeklyHours

WEEKDAYS_9_TO_18 = {day: (time(9), time(18)) for day in range(5)}


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"service-{n}")
    title = factory.Sequence(lambda n: f"Услуга {n}")
    title_en = factory.Sequence(lambda n: f"Service {n}")
    duration_minutes = 30


class ServiceCentreFactory(factory.django.DjangoModelFactory):
    """A Moscow centre open 9–18 on weekdays unless `hours` says otherwise."""

    class Meta:
        model = ServiceCentre
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"centre-{n}")
    name = factory.Sequence(lambda n: f"МФЦ №{n}")
    city = "Москва"
    address = factory.Sequence(lambda n: f"ул. Тверская, д. {n}")
    lat = 55.7570
    lon = 37.6150
    phone = "+7 495 777-77-77"
    windows = 2
    online_booking = True
    timezone = "Europe/Moscow"

    @factory.post_generation
    def hours(obj, create, extracted, **kwargs):
        if not create:
            return
        hours = WEEKDAYS_9_TO_18 if extracted is None else extracted
        for weekday, (opens, closes) in hours.items():
            WeeklyHours.objects.create(centre=obj, weekday=weekday, opens=opens, closes=closes)

    @factory.post_generation
    def services(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.services.set(extracted)

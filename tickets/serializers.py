"""REST shapes of appeals. Rules (lengths, contacts, file types and sizes, the workflow)
are checked by `tickets.services`; these classes only parse input and render output."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from gosupport.models import User
from gosupport.serializers import CategorySlugField
from tickets.models import Attachment, Channel, Message, Status, Ticket, TicketEvent


class UploadsField(serializers.ListField):
    """`files` (repeated) or `files[]` in a multipart body."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.FileField(allow_empty_file=False))
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", list)
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist"):
            uploads = dictionary.getlist(self.field_name) + dictionary.getlist(f"{self.field_name}[]")
            if uploads:
                return uploads
        return super().get_value(dictionary)


class TicketCreateSerializer(serializers.Serializer):
    category = CategorySlugField()
    text = serializers.CharField(trim_whitespace=False, help_text=_("20 to 500 characters."))
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    contact_phone = PhoneNumberField(region="RU", required=False, allow_blank=True, default="")
    rating = serializers.IntegerField(required=False, allow_null=True, default=None, help_text=_("1 to 5."))


class TicketCreateMultipartSerializer(TicketCreateSerializer):
    files = UploadsField(help_text=_("PDF, JPG or PNG (recognised by content), 5 MB in total."))


class TicketCreatedSerializer(serializers.Serializer):
    """The contract's answer to a new appeal; `first_response_due`/`resolution_due` are null
    when no SLA policy applies. Declared field by field: it is on the hot path of filing."""

    number = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    category = serializers.CharField(source="category.slug", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    first_response_due = serializers.DateTimeField(read_only=True, allow_null=True)
    resolution_due = serializers.DateTimeField(read_only=True, allow_null=True)


class TicketListSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "number",
            "status",
            "status_display",
            "channel",
            "category",
            "subject",
            "text",
            "created_at",
            "updated_at",
            "closed_at",
            "first_response_due",
            "resolution_due",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.STR)
class PersonField(serializers.Field):
    """Who did something, as a person reads it: a name, or null for the system."""

    def to_representation(self, user: User) -> str:
        return user.full_name() or user.get_username()


class TicketEventSerializer(serializers.ModelSerializer):
    actor = PersonField(read_only=True, allow_null=True)

    class Meta:
        model = TicketEvent
        fields = ["at", "kind", "actor", "comment"]
        read_only_fields = fields

    def get_fields(self):
        # `from` and `to` are the contract's names but Python keywords.
        fields = super().get_fields()
        fields["from"] = serializers.ChoiceField(source="from_status", choices=Status.choices, read_only=True)
        fields["to"] = serializers.ChoiceField(source="to_status", choices=Status.choices, read_only=True)
        return fields


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "is_result_document", "created_at"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_kind", read_only=True, help_text="citizen|operator|bot|system")
    author_name = PersonField(source="author", read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["seq", "author", "author_name", "text", "internal", "created_at", "attachments"]
        read_only_fields = fields


class RatingSerializer(serializers.Serializer):
    score = serializers.IntegerField(help_text=_("1 to 5."))
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class TicketDetailSerializer(TicketListSerializer):
    events = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()

    class Meta(TicketListSerializer.Meta):
        fields = TicketListSerializer.Meta.fields + [
            "contact_email",
            "contact_phone",
            "resolution",
            "rejection_reasons",
            "regulation_references",
            "appeal_instructions",
            "events",
            "messages",
            "rating",
        ]
        read_only_fields = fields

    @extend_schema_field(TicketEventSerializer(many=True))
    def get_events(self, ticket: Ticket):
        return TicketEventSerializer(self.context["events"], many=True).data

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, ticket: Ticket):
        return MessageSerializer(self.context["messages"], many=True).data

    @extend_schema_field(RatingSerializer(allow_null=True))
    def get_rating(self, ticket: Ticket):
        rating = getattr(ticket, "rating", None)
        return None if rating is None else {"score": rating.score, "comment": rating.comment}


class MessageCreateSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    internal = serializers.BooleanField(
        required=False, default=False, help_text=_("Staff only: a private note the citizen never sees.")
    )


class MessageCreateMultipartSerializer(MessageCreateSerializer):
    files = UploadsField(help_text=_("PDF, JPG or PNG (recognised by content), 5 MB in total per appeal."))


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    rejection_reasons = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Required when rejecting.")
    )
    regulation_references = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Required when rejecting.")
    )
    appeal_instructions = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Required when rejecting.")
    )


class StatusChangeMultipartSerializer(StatusChangeSerializer):
    result_files = UploadsField(help_text=_("Result documents, only when completing: PDF, JPG or PNG."))

"""REST shapes of the shared core: sign-up, tokens, the caller's profile, categories."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from gosupport.categories import category_by_slug
from gosupport.models import Category, Role, User


class CategorySlugField(serializers.SlugRelatedField):
    """A category named by its slug, read from the process's copy (gosupport.categories)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Category.objects.all(), **kwargs)

    def to_internal_value(self, data):
        category = category_by_slug(data) if isinstance(data, str) else None
        if category is None:
            self.fail("does_not_exist", slug_name="slug", value=str(data))
        return category


class RegisterSerializer(serializers.Serializer):
    """Citizen sign-up; checksums, uniqueness and password strength are the service's job."""

    last_name = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150)
    middle_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    birth_date = serializers.DateField()
    phone = PhoneNumberField(region="RU", help_text=_("A Russian mobile number, +7…"))
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, style={"input_type": "password"}, trim_whitespace=False)
    inn = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("Checked by checksum."))
    snils = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("Checked by checksum."))

    def validated_phone(self) -> str:
        return str(self.validated_data["phone"])


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(help_text=_("Phone number, e-mail or username."))
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("One-time code of the second factor; required for staff accounts."),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ProfileSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(read_only=True, allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "last_name", "first_name", "middle_name", "birth_date", "phone", "email", "role"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Category
        fields = ["id", "slug", "title", "parent", "is_complaint"]

    def get_title(self, category: Category) -> str:
        return category.localized_title(get_language() or "")

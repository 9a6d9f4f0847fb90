"""Input and output shapes for customers and contacts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator


class CustomerBase(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    external_id: str | None = Field(default=None, max_length=200)
    domain: str | None = Field(default=None, max_length=255)
    segment: str | None = Field(default=None, max_length=64)
    plan: str | None = Field(default=None, max_length=64)
    arr: float = Field(default=0.0, ge=0, le=1e12)
    region: str | None = Field(default=None, max_length=64)
    lifecycle_stage: str | None = Field(default=None, max_length=32)


class CustomerCreate(CustomerBase):
    pass


class CustomerUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    external_id: str | None = Field(default=None, max_length=200)
    domain: str | None = Field(default=None, max_length=255)
    segment: str | None = Field(default=None, max_length=64)
    plan: str | None = Field(default=None, max_length=64)
    arr: float | None = Field(default=None, ge=0, le=1e12)
    region: str | None = Field(default=None, max_length=64)
    lifecycle_stage: str | None = Field(default=None, max_length=32)


class CustomerRead(CustomerBase):
    model_config = ConfigDict(from_attributes=True)
    id: int
    created_at: datetime
    updated_at: datetime


class CustomerImportRow(CustomerBase):
    """One CSV row; ``arr`` accepts thousands separators and currency symbols."""

    arr: float = Field(default=0.0, ge=0, le=1e12)

    @field_validator("arr", mode="before")
    @classmethod
    def _parse_money(cls, value: object) -> object:
        if value is None:
            return 0.0
        if isinstance(value, str):
            return value.replace(",", "").replace("$", "").replace("€", "").replace("£", "").strip() or 0.0
        return value


class ContactCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    role: str | None = Field(default=None, max_length=200)
    customer_id: int | None = None


class ContactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    email: str | None
    role: str | None
    customer_id: int | None

"""The attachment size limit is told in the reader's way of writing numbers."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from pishkhan.tickets.attachments import check_files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_file_over_a_fractional_limit_names_it_with_the_persian_decimal_separator(alpha):
    # given a workspace that takes files up to 2.5 MB
    alpha.tenant.attachment_max_bytes = 5 * 1024 * 1024 // 2
    big = SimpleUploadedFile("نمونه.png", PNG + b"\x00" * (3 * 1024 * 1024), "image/png")
    # when a larger file is checked on a Persian page and on an English one
    with translation.override("fa"), pytest.raises(ValidationError) as persian:
        check_files(tenant=alpha.tenant, files=[big])
    big.seek(0)
    with translation.override("en"), pytest.raises(ValidationError) as english:
        check_files(tenant=alpha.tenant, files=[big])
    # then each names the limit as its reader writes it
    assert "۲٫۵" in str(persian.value) and "2.5" not in str(persian.value)
    assert "2.5 MB" in str(english.value)

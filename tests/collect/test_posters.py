"""QR posters: the files, who may print them, and the short address their code carries."""

from __future__ import annotations

import io

import pytest
import segno
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from miroir.collect.channels.posters import drawing as posters
from miroir.collect.models import Response
from miroir.collect.services import wave_close
from tests.personas import PASSWORD

CUSTOMER_FORM = {"q-ecoute-customer": "5", "q-nps-customer": "9"}


def _login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


@pytest.fixture
def customer_wave(make_wave, launch):
    return launch(
        make_wave(
            name="Clients à chaud",
            lens="customer",
            kind="hot",
            channels=[],
            reminder_days=[],
            open_links=True,
            attributes=["moment"],
        )
    )


def _poster(client, wave, unit, *, kind="pdf", moment="", language="fr"):
    query = {
        "poster-unit": unit.pk,
        "poster-moment": moment,
        "poster-language": language,
        "poster-format": kind,
    }
    return client.get(reverse("collect:wave_poster", args=[wave.pk]), query)


def _decode_qr(png: bytes) -> list[str]:
    import zxingcpp

    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_a_shop_manager_prints_a_pdf_poster_carrying_the_short_address(
    client, personas, customer_wave
):
    _login(client, personas.shop_manager)
    response = _poster(client, customer_wave, personas.lille, moment="checkout")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    url = posters.poster_url(customer_wave, personas.lille, moment="checkout", language="fr")
    assert url.startswith("https://miroir.example/q/") and url.endswith(
        f"/{personas.lille.pk}/checkout/"
    )
    # The code and the printed address are links to the same place.
    assert f"/URI ({url})".encode() in pdf


def test_the_png_poster_decodes_to_the_short_address(client, personas, customer_wave):
    _login(client, personas.direction)
    response = _poster(client, customer_wave, personas.arras, kind="png", language="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == posters.PNG_SIZE
    url = posters.poster_url(customer_wave, personas.arras, moment=None, language="en")
    assert url.endswith(f"/{personas.arras.pk}/?lang=en")  # not the wave's language
    assert _decode_qr(response.content) == [url]


def test_the_png_code_is_module_for_module_the_one_segno_makes(client, personas, customer_wave):
    _login(client, personas.admin)
    png = _poster(client, customer_wave, personas.lille, kind="png", moment="arrival").content
    url = posters.poster_url(customer_wave, personas.lille, moment="arrival", language="fr")
    left, top, scale = posters.png_qr_geometry(url)
    image = Image.open(io.BytesIO(png)).convert("L")
    expected = segno.make(url, error=posters.QR_ERROR).matrix
    for row, modules in enumerate(expected):
        for column, dark in enumerate(modules):
            pixel = image.getpixel(
                (left + column * scale + scale // 2, top + row * scale + scale // 2)
            )
            assert (pixel < 128) == bool(dark), (row, column)


def test_the_short_address_leads_to_the_open_link_and_records_the_moment(
    client, personas, customer_wave
):
    url = posters.poster_url(customer_wave, personas.lille, moment="checkout", language="fr")
    path = url.removeprefix("https://miroir.example")
    hop = client.get(path)
    assert hop.status_code == 302
    expected = reverse("collect:respond_open", args=[customer_wave.public_id, personas.lille.pk])
    assert hop["Location"] == f"{expected}?m=checkout"
    form = client.get(hop["Location"])
    assert form.status_code == 200
    # The language switch keeps the moment.
    assert "?m=checkout&amp;lang=en" in form.content.decode()
    sent = client.post(hop["Location"], {**CUSTOMER_FORM, "submission_id": "p" * 20})
    assert sent.status_code == 302
    response = Response.objects.get()
    assert response.attributes == {"moment": "checkout"}
    assert (response.unit_id, response.channel, response.invitation_id) == (
        personas.lille.pk,
        "link",
        None,
    )


def test_an_unknown_moment_is_a_broken_link_and_stores_nothing(client, personas, customer_wave):
    url = reverse("collect:respond_open", args=[customer_wave.public_id, personas.lille.pk])
    assert client.get(url, {"m": "nowhere"}).status_code == 404
    sent = client.post(f"{url}?m=nowhere", {**CUSTOMER_FORM, "submission_id": "q" * 20})
    assert sent.status_code == 404
    assert not Response.objects.exists()


def test_a_wave_that_does_not_keep_moments_drops_the_moment(client, make_wave, launch, personas):
    wave = launch(
        make_wave(lens="customer", channels=[], reminder_days=[], open_links=True, attributes=[])
    )
    url = reverse("collect:respond_open", args=[wave.public_id, personas.lille.pk])
    sent = client.post(f"{url}?m=checkout", {**CUSTOMER_FORM, "submission_id": "r" * 20})
    assert sent.status_code == 302
    assert Response.objects.get().attributes == {}


def test_only_customer_waves_keep_the_moment(make_wave):
    with pytest.raises(ValidationError) as error:
        make_wave(attributes=["moment"])
    assert "attributes" in error.value.message_dict


def test_a_malformed_short_address_is_a_404_page(client, personas, customer_wave):
    assert client.get(f"/q/{'A' * 21}/{personas.lille.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "unit"),
    [
        ("shop_manager", "marseille"),  # another region
        ("shop_manager", "arras"),  # a sibling shop
        ("other_region_manager", "lille"),
        ("region_manager", "marseille"),
    ],
)
def test_a_manager_gets_404_for_a_unit_outside_their_subtree(
    client, personas, customer_wave, persona, unit
):
    _login(client, getattr(personas, persona))
    assert _poster(client, customer_wave, getattr(personas, unit)).status_code == 404


@pytest.mark.parametrize("persona", ["employee", "partner", "outsider"])
def test_people_without_a_management_role_get_403(client, personas, customer_wave, persona):
    _login(client, getattr(personas, persona))
    assert _poster(client, customer_wave, personas.lille).status_code == 403


def test_a_wave_without_open_links_has_no_poster(client, personas, make_wave, launch):
    wave = launch(make_wave())
    _login(client, personas.admin)
    assert _poster(client, wave, personas.lille).status_code == 404
    page = client.get(reverse("collect:wave_detail", args=[wave.pk])).content.decode()
    assert 'data-testid="wave-posters"' not in page


def test_a_forged_moment_or_format_is_a_404(client, personas, customer_wave):
    _login(client, personas.admin)
    assert _poster(client, customer_wave, personas.lille, moment="nowhere").status_code == 404
    assert _poster(client, customer_wave, personas.lille, kind="gif").status_code == 404


def test_the_wave_page_offers_posters_for_the_units_in_view_only(client, personas, customer_wave):
    _login(client, personas.shop_manager)
    page = client.get(reverse("collect:wave_detail", args=[customer_wave.pk])).content.decode()
    assert 'data-testid="wave-posters"' in page
    assert f'<option value="{personas.lille.pk}"' in page
    assert f'<option value="{personas.lille_vente.pk}"' in page
    assert f'<option value="{personas.arras.pk}"' not in page
    assert 'value="checkout"' in page
    # Kiosks are issued by administrators and the direction only.
    assert "kiosk-unit" not in page


def test_an_employee_poster_says_answers_are_anonymous(client, personas, make_wave, launch):
    wave = launch(make_wave(open_links=True))
    _login(client, personas.admin)
    response = _poster(client, wave, personas.lille, language="en")
    assert response.status_code == 200
    text = posters.poster_text(wave, personas.lille, moment_name=None, language="en")
    assert "anonymous" in text.footer
    assert text.moment == ""


def test_drafts_and_closed_waves_have_no_poster(client, personas, make_wave, launch):
    draft = make_wave(lens="customer", channels=[], reminder_days=[], open_links=True)
    _login(client, personas.admin)
    assert _poster(client, draft, personas.lille).status_code == 404
    closed = launch(
        make_wave(name="Close", lens="customer", channels=[], reminder_days=[], open_links=True)
    )
    wave_close(wave=closed, actor=personas.admin)
    assert _poster(client, closed, personas.lille).status_code == 404

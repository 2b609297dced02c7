"""The catalogue (prices as data, converted per output unit) and the registry of providers found by entry points."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mangaline.config import ProviderSettings, Settings
from mangaline.errors import ConfigError, ProviderUnavailable
from mangaline.model import Project
from mangaline.providers import registry
from mangaline.providers.catalogue import Catalogue, dimensions, load_catalogue
from mangaline.providers.protocols import Modality, Usage

from .fake_video import fake_catalogue


def test_the_bundled_catalogue_is_complete_data() -> None:
    catalogue = load_catalogue()
    ids = {m.id for m in catalogue.models}
    for expected in (
        "motion-comic", "draft-renderer", "draft-voices", "doubao-seedance-1-0-lite-i2v-250428",
        "doubao-seedance-2-0-fast-260128", "kling-v3-std", "kling-v3-pro", "wan2.1-i2v-turbo", "wan2.1-i2v-plus",
        "doubao-seedream-4-0", "flux-kontext-pro", "flux-kontext-max", "flux-2-pro", "gpt-image-1", "tts-1", "volc-tts",
    ):
        assert expected in ids
    for entry in catalogue.models:
        assert entry.price.source and entry.price.read_on.year >= 2026, entry.id
        assert entry.tiers, entry.id
        assert (entry.provider == "draft") == entry.free, entry.id
    assert {"USD", "CNY"} <= set(catalogue.exchange_rates.usd_per_unit)


def test_one_key_is_enough_for_the_whole_paid_line_only_on_dashscope() -> None:
    """DashScope serves images, voices, clips and chat; Ark has no speech (Doubao TTS takes a key of its own)
    and OpenAI no video (Sora is shut down)."""
    served: dict[str, set[Modality]] = {}
    for entry in load_catalogue().models:
        served.setdefault(entry.provider, set()).add(entry.modality)
    assert {Modality.IMAGE, Modality.SPEECH, Modality.VIDEO, Modality.TEXT} <= served["dashscope"]
    assert Modality.SPEECH not in served["ark"]
    assert Modality.VIDEO not in served["openai"]


def test_every_paid_speech_model_offers_voices_of_both_genders_to_cast() -> None:
    catalogue = load_catalogue()
    for entry in catalogue.of(Modality.SPEECH):
        if entry.free:
            continue
        ids = [voice.id for voice in entry.voices]
        assert len(ids) == len(set(ids)) >= 4, entry.id
        assert {"female", "male"} <= {voice.gender for voice in entry.voices}, entry.id
        for voice in entry.voices:
            # a voice never claims a language its model does not speak
            assert set(voice.languages) <= set(entry.capabilities.languages), (entry.id, voice.id)
    assert {"Cherry", "Ethan"} <= {voice.id for voice in catalogue.model("qwen3-tts-flash").voices}
    assert catalogue.quote("qwen3-tts-flash", characters=10_000).cost == pytest.approx(0.10)  # $0.10 per 10k
    billed = Usage(quantity=2 * 600, unit="characters")  # 600 Han characters are billed as 1200
    assert catalogue.usage_cost("qwen3-tts-flash", billed) == pytest.approx(0.012)


def test_qwen_image_takes_three_references_and_lip_sync_is_its_own_modality() -> None:
    catalogue = load_catalogue()
    for model in ("qwen-image-2.0", "qwen-image-2.0-pro"):
        entry = catalogue.model(model)
        assert (entry.provider, entry.modality, entry.capabilities.reference_images) == ("dashscope", Modality.IMAGE, 3)
        assert "480p" not in entry.capabilities.resolutions  # each side must be at least 512 px
    lipsync = catalogue.model("kling-lip-sync")
    assert lipsync.modality == Modality.LIPSYNC and lipsync.capabilities.own_videos_only
    assert catalogue.quote(lipsync, seconds=5).cost == pytest.approx(0.046)


def test_seedance_tokens_follow_the_published_formula() -> None:
    catalogue = load_catalogue()
    width, height = dimensions("720p", "9:16")
    assert (width, height) == (720, 1280)
    quote = catalogue.quote("doubao-seedance-1-0-pro-250528", seconds=5, width=width, height=height)
    assert quote.quantity == 5 * 720 * 1280 * 24 / 1024 == 108000
    assert quote.cost == pytest.approx(0.27)  # providers.md: about $0.27 for 5 s 720p
    fast = catalogue.quote("doubao-seedance-2-0-260128", seconds=4, width=width, height=height, currency="USD")
    assert fast.cost / 4 == pytest.approx(0.139, abs=0.001)  # the measured ~$0.14/s
    assert "-> " in fast.formula and "CNY/M" in fast.formula


def test_per_megapixel_per_character_per_image_and_credit_prices() -> None:
    catalogue = load_catalogue()
    flux = catalogue.quote("flux-2-pro", width=1000, height=1000, images=1, input_megapixels=2.0)
    assert flux.cost == pytest.approx(0.03 + 2 * 0.015)
    tts = catalogue.quote("tts-1", characters=2000)
    assert tts.cost == pytest.approx(0.03)
    assert catalogue.quote("doubao-seedream-4-0", images=3).cost == pytest.approx(0.09)
    per_second = fake_catalogue({"id": "clip", "price": 0.084})
    assert per_second.quote("clip", seconds=5).cost == pytest.approx(0.42)


def test_credit_prices_need_a_rate() -> None:
    base = {"id": "m", "provider": "p", "modality": "video", "tiers": ["standard"], "quality": 0.5}
    rates = {"read_on": "2026-11-01", "source": "t", "usd_per_unit": {"USD": 1.0}}
    price = {"unit": "credit", "amount": 0.01, "currency": "USD", "read_on": "2026-11-01", "source": "t"}
    with pytest.raises(ValueError, match="credits_per_second or credits_per_image"):
        Catalogue.model_validate({"exchange_rates": rates, "models": [{**base, "price": price}]})
    ok = Catalogue.model_validate({"exchange_rates": rates, "models": [{**base, "price": {**price, "credits_per_second": 5}}]})
    assert ok.quote("m", seconds=4).cost == pytest.approx(0.2)


def test_usage_figures_become_cost() -> None:
    catalogue = load_catalogue()
    tokens = Usage(quantity=87300, unit="tokens")
    assert catalogue.usage_cost("doubao-seedance-2-0-260128", tokens) == pytest.approx(87300 * 46e-6 * 0.14)
    stated = Usage(quantity=1, unit="images", cost=2.0, currency="CNY")
    assert catalogue.usage_cost("doubao-seedream-4-0", stated) == pytest.approx(0.28)


def test_a_bad_catalogue_names_the_file_and_the_model(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.toml"
    path.write_text(
        """
[exchange_rates]
read_on = "2026-11-01"
source = "t"
usd_per_unit = { USD = 1.0 }
[[models]]
id = "broken-one"
provider = "x"
modality = "video"
tiers = ["gold"]
quality = 0.5
price = { unit = "second", amount = 0.1, currency = "USD", read_on = "2026-11-01", source = "t" }
""",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"catalogue.toml: \[models\[broken-one\].tiers.0\]"):
        load_catalogue(path)
    path.write_text(path.read_text().replace('"gold"', '"standard"').replace('currency = "USD", read', 'currency = "EUR", read'))
    with pytest.raises(ConfigError, match="priced in EUR, which has no exchange rate"):
        load_catalogue(path)
    with pytest.raises(ConfigError, match="no exchange rate for XYZ"):
        load_catalogue().convert(1.0, "XYZ", "USD")


class Recorder:
    """A provider factory that keeps what it was given."""

    seen: list[dict] = []

    def __init__(self, settings: dict) -> None:
        Recorder.seen.append(settings)
        self.settings = settings


def test_providers_are_found_through_entry_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a real installed distribution: a dist-info folder with entry_points.txt on sys.path
    dist = tmp_path / "mangaline_fake_provider-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mangaline-fake-provider\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[mangaline.providers]\nrecorder = tests.providers.test_catalogue:Recorder\nbroken = no_such_module:factory\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert {"recorder", "broken"} <= set(registry.available())
    settings = Settings(
        project=Project(name="t"),
        providers={"recorder": ProviderSettings(base_url="http://127.0.0.1:9/v1", api_key_env="FAKE_KEY", options={"region": "sg"})},
    )
    Recorder.seen.clear()
    built = registry.load_provider("recorder", settings, model="m-1", modality="video")
    assert isinstance(built, Recorder)
    # only what the person set, plus the model asked for; no runtime keys, never the key itself
    assert Recorder.seen[-1] == {
        "region": "sg", "base_url": "http://127.0.0.1:9/v1", "api_key_env": "FAKE_KEY", "model": "m-1", "modality": "video",
    }
    with pytest.raises(ProviderUnavailable, match="provider broken: cannot load no_such_module:factory"):
        registry.load_provider("broken")
    with pytest.raises(ProviderUnavailable, match="no provider of that name is installed"):
        registry.load_provider("nobody")
    off = ProviderSettings(enabled=False)
    with pytest.raises(ProviderUnavailable, match="disabled in mangaline.toml"):
        registry.load_provider("recorder", off)


def test_the_key_is_read_from_the_environment_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ProviderSettings(api_key_env="MANGALINE_TEST_KEY")
    monkeypatch.delenv("MANGALINE_TEST_KEY", raising=False)
    assert settings.api_key() is None
    monkeypatch.setenv("MANGALINE_TEST_KEY", "sk-123")
    assert settings.api_key() == "sk-123"
    assert "sk-123" not in settings.model_dump_json()


def test_registered_factories_win_and_the_settings_table_is_optional() -> None:
    registry.register("in-code", lambda table: ("built", table))
    assert registry.load_provider("in-code") == ("built", {})
    assert "in-code" in registry.available()
    assert sys.modules["mangaline.providers.registry"] is registry

"""The LLM breakdown against a real chat-completions server on 127.0.0.1, scripted per test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mangaline.breakdown.llm import breakdown_with_llm, chunk_text
from mangaline.config import LlmSettings, Settings, load_settings, write_settings
from mangaline.errors import ProviderError, ProviderUnavailable
from mangaline.model import Project
from mangaline.production import scratch_runtime

from .fake_chat_server import FakeChatServer, completion, error, fake_breakdown, sequence, story_of

KEY = "sk-test-5ecret-key-0123456789"

STORY = """# Chapter One

At the harbour, night.

Rain falls on the black water. Margaret waits under the crane.

Margaret: "You came back."

Oda: "The door was open."

Oda steps out of the dark with a broken umbrella.
"""

LONG_STORY = """# Chapter One

At the harbour, night.

Rain falls on the black water. Margaret waits under the crane, counting the ships.

Margaret: "You came back after all these years."

Oda: "The door was open, so I walked in."

Oda steps out of the dark with a broken umbrella and a paper bag.

Maggie: "Then close it behind you, old man."

The crane groans in the wind. Neither of them moves for a long while.
"""


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MANGALINE_TEST_LLM_KEY", KEY)
    return KEY


def settings_for(server: FakeChatServer, **changes: object) -> LlmSettings:
    values: dict[str, object] = {
        "base_url": server.url,
        "model": "fake-model",
        "api_key_env": "MANGALINE_TEST_LLM_KEY",
        "provider": "fakechat",
        "backoff": 0.01,
        "max_retry_wait": 2.0,
        "max_calls": 12,
        "timeout": 20.0,
    }
    values.update(changes)
    return LlmSettings(**values)


def breakdown(text: str, settings: LlmSettings, *, source: str = "story/harbour.txt", language: str = "en", client=None):
    """The LLM breakdown through a provider runtime of its own, as `mangaline new` makes it."""
    with scratch_runtime(settings) as runtime:
        return breakdown_with_llm(text, source=source, language=language, settings=settings, runtime=runtime, client=client)


def run(server: FakeChatServer, text: str = STORY, **changes: object):
    return breakdown(text, settings_for(server, **changes))


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


# --- valid output --------------------------------------------------------------------------------


def test_valid_reply_gives_chapters_scenes_and_beats_with_source_spans() -> None:
    with FakeChatServer(fake_breakdown) as server:
        result = run(server)
    assert server.calls == 1 and result.calls == 1
    [chapter] = result.chapters
    assert chapter.title == "Chapter One"
    [scene] = chapter.scenes
    assert (scene.place, scene.interior, scene.time_of_day) == ("Harbour", False, "NIGHT")
    lines = [beat.line for beat in scene.beats if beat.line]
    assert [(line.speaker, line.character, line.text) for line in lines] == [
        ("Margaret", "margaret", "You came back."),
        ("Oda", "oda", "The door was open."),
    ]
    assert all(line.language == "en" for line in lines)
    # every beat points at the exact text it came from, by offsets and by 1-based line
    source_lines = STORY.splitlines()
    for beat in scene.beats:
        span = beat.source
        assert span is not None and span.file == "story/harbour.txt"
        quoted = STORY[span.start : span.end]
        assert quoted in paragraphs(STORY)
        assert source_lines[span.line - 1] == quoted
    assert lines[0].source.line == 7
    assert scene.source.line == 3 and scene.source.end_line == 11
    assert chapter.source.line == 3
    assert result.usage == {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}


def test_json_object_mode_says_json_in_the_prompt_and_asks_for_json_object() -> None:
    with FakeChatServer(fake_breakdown) as server:
        run(server, json_object=True, json_schema=False)
    [seen] = server.seen
    assert seen.body["response_format"] == {"type": "json_object"}
    assert "json" in seen.text()
    assert seen.body["model"] == "fake-model"


def test_strict_json_schema_mode_sends_the_schema() -> None:
    with FakeChatServer(fake_breakdown) as server:
        run(server, json_schema=True)
    [seen] = server.seen
    response_format = seen.body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    schema = response_format["json_schema"]["schema"]
    objects = [schema, *schema["$defs"].values()]
    assert {"characters", "places", "scenes"} <= set(schema["properties"])
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert sorted(obj["required"]) == sorted(obj["properties"])
    assert "json" in seen.text()


def test_thinking_switch_is_sent_only_when_set() -> None:
    with FakeChatServer(fake_breakdown) as server:
        run(server, thinking="disabled")
        run(server)
    assert server.seen[0].body["thinking"] == {"type": "disabled"}
    assert "thinking" not in server.seen[1].body


def test_key_is_sent_as_bearer_and_never_kept_in_the_transcript() -> None:
    def echo_key(seen):
        # a careless endpoint that echoes the header back must not leak it into the transcript
        reply = fake_breakdown(seen)
        reply.body["system_fingerprint"] = seen.headers["authorization"]
        return reply

    with FakeChatServer(sequence(error(500, f"bad key {KEY}"), echo_key)) as server:
        result = run(server)
    assert all(seen.headers["authorization"] == f"Bearer {KEY}" for seen in server.seen)
    dumped = json.dumps(result.transcript)
    assert KEY not in dumped
    assert "[api key]" in dumped


def test_missing_key_variable_fails_before_any_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MANGALINE_TEST_LLM_KEY")
    with FakeChatServer(fake_breakdown) as server:
        with pytest.raises(ProviderUnavailable, match="MANGALINE_TEST_LLM_KEY"):
            run(server)
    assert server.calls == 0


def test_transcript_holds_every_exchange_and_is_json() -> None:
    with FakeChatServer(sequence(error(500), completion("{not json"), fake_breakdown)) as server:
        result = run(server)
    assert server.calls == 3 == result.calls == len(result.transcript)
    records = json.loads(json.dumps(result.transcript))
    assert [r["call"] for r in records] == [1, 2, 3]
    assert [r["http_status"] for r in records] == [500, 200, 200]
    assert [r["purpose"] for r in records] == ["breakdown", "breakdown", "repair"]
    assert records[1]["content"] == "{not json" and records[1]["outcome"].startswith("rejected: the reply is not valid json")
    assert records[2]["outcome"] == "accepted"
    for record, seen in zip(records, server.seen):
        assert record["request"]["messages"] == seen.body["messages"]
        assert record["raw"]
    assert json.loads(records[2]["raw"])["choices"][0]["message"]["content"] == records[2]["content"]
    assert records[2]["usage"]["total_tokens"] == 150


# --- invalid output: one repair, then smaller chunks, never endless ------------------------------


def test_malformed_json_gets_one_targeted_repair() -> None:
    with FakeChatServer(sequence(completion('{"scenes": [}'), fake_breakdown)) as server:
        result = run(server)
    assert server.calls == 2
    repair = server.seen[1].body["messages"]
    assert repair[-2] == {"role": "assistant", "content": '{"scenes": [}'}
    assert "not valid json" in repair[-1]["content"]
    assert result.chapters[0].scenes[0].beats


def test_schema_errors_are_named_in_the_repair() -> None:
    bad = {
        "characters": [],
        "places": [],
        "scenes": [
            {
                "chapter": None,
                "place": "Harbour",
                "interior": False,
                "time_of_day": "NIGHT",
                "beats": [
                    {"kind": "dialogue", "text": "Hi.", "speaker": "Oda", "parenthetical": None, "quote": "Hello there, stranger."},
                    {"kind": "sing", "text": "La.", "quote": "La."},
                ],
            }
        ],
    }
    with FakeChatServer(sequence(completion(json.dumps(bad)), completion(json.dumps({"scenes": "none"})), fake_breakdown)) as server:
        result = run(server)
    repair = server.seen[1].body["messages"][-1]["content"]
    assert repair.startswith("Your reply could not be used: it does not match the schema: scenes.0.beats.1.kind")
    # the repair failed too, so the chunk was halved and each half passed at once
    assert server.calls == 4
    assert "scenes: Input should be a valid list" in result.transcript[1]["outcome"]
    assert [r["purpose"] for r in result.transcript] == ["breakdown", "repair", "breakdown", "breakdown"]


def test_invented_quote_is_rejected_with_its_beat_named() -> None:
    def inventing(seen):
        reply = json.loads(fake_breakdown(seen).body["choices"][0]["message"]["content"])
        reply["scenes"][0]["beats"][1]["quote"] = "Words nobody wrote."
        return completion(json.dumps(reply))

    with FakeChatServer(sequence(inventing, fake_breakdown)) as server:
        run(server)
    assert server.calls == 2
    assert "scenes.0.beats.1: the quote 'Words nobody wrote.' is not in the text" in server.seen[1].text()


def test_a_chunk_that_keeps_failing_is_split_and_retried() -> None:
    def whole_fails(seen):
        if len(paragraphs(story_of(seen))) > 4:
            return completion('{"scenes": [')
        return fake_breakdown(seen)

    with FakeChatServer(whole_fails) as server:
        result = run(server)
    # the whole chunk and its repair fail; its two halves each pass at once
    assert server.calls == 4
    assert [r["purpose"] for r in result.transcript] == ["breakdown", "repair", "breakdown", "breakdown"]
    beats = [b for chapter in result.chapters for scene in chapter.scenes for b in scene.beats]
    assert len(beats) == len(paragraphs(STORY)) - 1  # every paragraph but the chapter heading, once
    assert [c.title for c in result.chapters] == ["Chapter One"]


def test_truncated_output_is_repaired_then_split() -> None:
    cut = completion('{"characters": [{"name": "Marg', finish_reason="length")
    with FakeChatServer(sequence(cut, cut, fake_breakdown)) as server:
        result = run(server)
    assert server.calls == 4
    assert "cut off" in server.seen[1].body["messages"][-1]["content"]
    assert result.transcript[0]["finish_reason"] == "length"


def test_malformed_forever_stops_at_the_call_cap_with_a_clear_error() -> None:
    with FakeChatServer(lambda seen: completion("{oops")) as server:
        with pytest.raises(ProviderError) as caught:
            run(server, max_calls=5)
    assert server.calls == 5
    message = str(caught.value)
    assert "fakechat (fake-model at http://127.0.0.1" in message
    assert "gave up after 5 calls" in message and "story/harbour.txt lines" in message
    assert "not valid json" in message
    assert caught.value.provider.startswith("fakechat")


def test_malformed_forever_on_a_tiny_text_fails_after_one_repair() -> None:
    with FakeChatServer(lambda seen: completion("{oops")) as server:
        with pytest.raises(ProviderError, match=r"line 1: no usable breakdown.*cannot be split"):
            run(server, text="Rain.\n")
    assert server.calls == 2


def test_empty_content_is_a_failed_attempt_with_a_reason() -> None:
    with FakeChatServer(lambda seen: completion("")) as server:
        with pytest.raises(ProviderError, match="the reply was empty"):
            run(server, text="Rain falls.\n")
    assert server.calls == 2


def test_refusal_field_is_a_failed_attempt_then_recovers() -> None:
    with FakeChatServer(sequence(completion(None, refusal="I can't help with that."), fake_breakdown)) as server:
        result = run(server)
    assert server.calls == 2
    assert result.transcript[0]["outcome"] == "rejected: the model refused: I can't help with that."
    assert server.seen[1].body["messages"][-2] == {"role": "assistant", "content": "I can't help with that."}


def test_refusal_in_content_is_reported_as_a_refusal() -> None:
    with FakeChatServer(lambda seen: completion("I'm sorry, but I can't help with that story.")) as server:
        with pytest.raises(ProviderError, match="the model refused: I'm sorry"):
            run(server, text="A dark story.\n")
    assert server.calls == 2


# --- HTTP failures -------------------------------------------------------------------------------


def test_429_retry_after_is_honoured() -> None:
    with FakeChatServer(sequence(error(429, "slow down", {"Retry-After": "1"}), fake_breakdown)) as server:
        result = run(server)
    assert server.calls == 2
    assert result.transcript[0]["http_status"] == 429 and result.transcript[0]["waited"] == 1.0
    assert result.chapters


def test_429_asking_too_long_a_wait_fails_at_once() -> None:
    with FakeChatServer(lambda seen: error(429, "quota", {"Retry-After": "3600"})) as server:
        with pytest.raises(ProviderError, match=r"wait 3600 s .*max_retry_wait"):
            run(server)
    assert server.calls == 1


def test_500s_are_retried_with_backoff_then_succeed() -> None:
    with FakeChatServer(sequence(error(500), error(502), fake_breakdown)) as server:
        result = run(server, max_retries=3)
    assert server.calls == 3
    assert [r.get("waited", 0) > 0 for r in result.transcript] == [True, True, False]


def test_500s_forever_stop_after_the_retries() -> None:
    with FakeChatServer(lambda seen: error(500, "the GPU caught fire")) as server:
        with pytest.raises(ProviderError, match=r"HTTP 500 after 2 retries.*the GPU caught fire"):
            run(server, max_retries=2)
    assert server.calls == 3


def test_unauthorised_is_not_retried_and_hints_at_the_key() -> None:
    with FakeChatServer(lambda seen: error(401, "invalid api key")) as server:
        with pytest.raises(ProviderError) as caught:
            run(server)
    assert server.calls == 1
    assert "HTTP 401" in str(caught.value) and "MANGALINE_TEST_LLM_KEY" in str(caught.value)


# --- long texts: chunks, overlap, one name per character -----------------------------------------


def test_chunks_break_at_paragraphs_overlap_and_cover_the_text() -> None:
    text = "\n\n".join(f"Paragraph {i} " + "word " * (5 + i % 4) for i in range(30))
    chunks = chunk_text(text, max_chars=200, overlap_chars=60)
    assert len(chunks) > 3
    starts = {m for m in range(len(text)) if m == 0 or text[m - 2 : m] == "\n\n"}
    assert chunks[0].start == 0 and chunks[-1].end == len(text.rstrip())
    for before, after in zip(chunks, chunks[1:]):
        assert after.start in starts and before.end - before.start <= 200
        assert before.start < after.start <= before.end  # no gap, always moving on
        assert before.end - after.start <= 60
    assert chunks[1].line == text[: chunks[1].start].count("\n") + 1


def test_a_paragraph_longer_than_a_chunk_is_cut_at_sentences() -> None:
    text = " ".join(f"Sentence number {i} ends here." for i in range(40))
    chunks = chunk_text(text, max_chars=300, overlap_chars=0)
    assert all(c.end - c.start <= 300 for c in chunks)
    assert all(text[c.end - 1] == "." for c in chunks)
    assert "".join(text[c.start : c.end] for c in chunks).replace(" ", "") == text.replace(" ", "")


def test_names_stay_unified_across_chunks_and_overlap_is_not_repeated() -> None:
    def aliasing(seen):
        # from the second chunk on, the model calls Margaret by her nickname and says so
        if "Margaret" in story_of(seen):
            return fake_breakdown(seen)
        return fake_breakdown(seen, speakers={"Margaret": "Maggie"}, characters=[{"name": "Margaret", "aliases": ["Maggie"]}])

    with FakeChatServer(aliasing) as server:
        result = run(server, LONG_STORY, max_chunk_chars=200, overlap_chars=80)
    assert server.calls == len(chunk_text(LONG_STORY, max_chars=200, overlap_chars=80)) == 3
    # the running register reaches later prompts
    assert '"name": "Margaret"' in server.seen[-1].text()
    scenes = [scene for chapter in result.chapters for scene in chapter.scenes]
    assert len(scenes) == 1, "a scene cut by chunk boundaries comes back whole"
    beats = scenes[0].beats
    texts = [LONG_STORY[b.source.start : b.source.end] for b in beats]
    assert texts == paragraphs(LONG_STORY)[1:], "each paragraph once, in order, overlaps dropped"
    speakers = [(b.line.speaker, b.line.character) for b in beats if b.line]
    assert speakers == [("Margaret", "margaret"), ("Oda", "oda"), ("Margaret", "margaret")]
    assert any("repeats the end of the previous part" in r["request"]["messages"][1]["content"] for r in result.transcript)


def test_chapters_follow_the_headings_the_model_reports() -> None:
    text = STORY + "\n# Chapter Two\n\nAt the market, morning.\n\nOda: \"Fish, two for one.\"\n"
    with FakeChatServer(fake_breakdown) as server:
        result = run(server, text)
    assert [c.title for c in result.chapters] == ["Chapter One", "Chapter Two"]
    second = result.chapters[1].scenes[0]
    assert (second.place, second.time_of_day) == ("Market", "MORNING")
    assert result.chapters[1].source.line == text.splitlines().index("At the market, morning.") + 1


# --- settings ------------------------------------------------------------------------------------


def test_llm_settings_round_trip_through_mangaline_toml(tmp_path: Path) -> None:
    path = tmp_path / "mangaline.toml"
    llm = LlmSettings(base_url="http://127.0.0.1:8080/v1", model="qwen", api_key_env="", thinking="disabled", json_schema=True)
    write_settings(path, Settings(project=Project(name="harbour"), llm=llm))
    assert "[llm]" in path.read_text(encoding="utf-8")
    assert load_settings(path).llm == llm
    write_settings(tmp_path / "plain.toml", Settings(project=Project(name="harbour")))
    assert load_settings(tmp_path / "plain.toml").llm is None


def test_quotes_are_found_despite_typographic_quotes_spacing_and_ellipses() -> None:
    text = "第一章\n\n夜，港口。\n\n林夏站在吊车下，  雨一直下。\n\n林夏：「你回来了。」\n\nShe said, “Close   the door,” and waited a long, long time for the answer.\n"

    def loose(seen):
        beats = [
            {"kind": "action", "text": "林夏站在吊车下。", "speaker": None, "parenthetical": None, "quote": "林夏站在吊车下， 雨一直下。"},
            {"kind": "dialogue", "text": "你回来了。", "speaker": "林夏", "parenthetical": None, "quote": '林夏："你回来了。"'},
            {"kind": "action", "text": "She waits.", "speaker": None, "parenthetical": None, "quote": 'she said, "Close the door," and waited ... for the answer.'},
        ]
        scene = {"chapter": "第一章", "place": "港口", "interior": False, "time_of_day": "night", "beats": beats}
        return completion(json.dumps({"characters": [{"name": "林夏", "aliases": []}], "places": [], "scenes": [scene]}, ensure_ascii=False))

    with FakeChatServer(loose) as server:
        result = breakdown(text, settings_for(server), source="story/港口.txt", language="zh")
    assert server.calls == 1
    beats = result.chapters[0].scenes[0].beats
    assert [text[b.source.start : b.source.end] for b in beats] == [
        "林夏站在吊车下，  雨一直下。",
        "林夏：「你回来了。」",
        "She said, “Close   the door,” and waited a long, long time for the answer.",
    ]
    assert [b.source.line for b in beats] == [5, 7, 9]
    assert beats[1].line.character == "林夏" and beats[1].line.language == "zh"
    assert result.chapters[0].scenes[0].time_of_day == "NIGHT"


def test_a_client_the_caller_made_is_used_with_its_own_key() -> None:
    from openai import OpenAI

    own_key = "sk-callers-own-key-42"
    with FakeChatServer(sequence(error(503, f"echo {own_key}"), fake_breakdown)) as server:
        client = OpenAI(base_url=server.url, api_key=own_key)
        result = breakdown(STORY, settings_for(server, api_key_env="NOT_SET_ANYWHERE"), client=client)
    # the client's own retries are off: both tries are ours, counted and recorded
    assert server.calls == 2 == len(result.transcript)
    assert server.seen[0].headers["authorization"] == f"Bearer {own_key}"
    assert own_key not in json.dumps(result.transcript)


def test_a_story_without_headings_is_one_untitled_chapter() -> None:
    text = STORY.replace("# Chapter One\n\n", "")
    with FakeChatServer(fake_breakdown) as server:
        result = run(server, text)
    assert [(c.title, len(c.scenes)) for c in result.chapters] == [("", 1)]
    assert result.chapters[0].source.line == 1


# --- one LLM client: the provider runtime ----------------------------------------------------------


def test_each_call_is_booked_in_the_runtimes_ledger_at_the_catalogue_price() -> None:
    with FakeChatServer(sequence(error(500), fake_breakdown)) as server:
        with scratch_runtime(settings_for(server, model="gpt-4o-mini")) as runtime:
            result = breakdown_with_llm(STORY, source="story/harbour.txt", language="en",
                                        settings=settings_for(server, model="gpt-4o-mini"), runtime=runtime)
            booked = [entry.charge for entry in runtime.ledger.entries()]
    # the failed try is not billed; the answer is, by its tokens at gpt-4o-mini's catalogue price
    assert result.charges == booked and len(booked) == 1
    [charge] = booked
    assert (charge.provider, charge.model, charge.step) == ("fakechat", "gpt-4o-mini", "breakdown.llm")
    assert charge.quantity == 150 and charge.unit == "tokens" and 0 < charge.cost < 0.001
    assert charge.entity == "story/harbour.txt lines 1-11"


def test_a_model_the_catalogue_does_not_list_is_booked_with_its_tokens_and_no_price() -> None:
    with FakeChatServer(fake_breakdown) as server:
        result = run(server)
    [charge] = result.charges
    assert charge.model == "fake-model" and charge.cost == 0
    assert charge.usage["provider_usage"] == {"quantity": 150.0, "unit": "tokens"}


def test_a_request_the_runtime_has_answered_is_not_asked_again() -> None:
    with FakeChatServer(fake_breakdown) as server:
        settings = settings_for(server)
        with scratch_runtime(settings) as runtime:
            first = breakdown_with_llm(STORY, source="story/harbour.txt", language="en", settings=settings, runtime=runtime)
            again = breakdown_with_llm(STORY, source="story/harbour.txt", language="en", settings=settings, runtime=runtime)
            thinking = breakdown_with_llm(STORY, source="story/harbour.txt", language="en", runtime=runtime,
                                          settings=settings_for(server, thinking="disabled"))
    # the same request, in the same state, is read from the runtime's journal: no call, no second charge
    assert server.calls == 2 and (first.calls, again.calls, thinking.calls) == (1, 0, 1)
    assert again.transcript[0]["cached"] is True and again.chapters == first.chapters
    assert again.usage["total_tokens"] == 0
    # what the endpoint is sent beyond the messages (here the thinking switch) makes another request
    assert server.seen[1].body["thinking"] == {"type": "disabled"}

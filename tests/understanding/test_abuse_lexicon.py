from tandem.understanding.lexicon import AbuseLexicon, default_lexicon


def spans(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.kind) for s in default_lexicon().find(text)]


def test_chinese_terms_with_separators_and_traditional_script() -> None:
    assert spans("你个傻 逼客服") == [("傻 逼", "insult")]
    assert spans("操你媽的") == [("操你媽", "profanity")]


def test_english_evasions() -> None:
    found = spans("f*ck you, you stupid b1tch")
    assert ("f*ck you", "profanity") in found
    assert ("stupid", "insult") in found
    assert ("b1tch", "insult") in found
    assert spans("what the fuuuuck") == [("fuuuuck", "expletive")]


def test_no_false_hits_inside_words() -> None:
    assert spans("my usb cable is broken") == []
    assert spans("洗脸去死皮用哪款") == []
    assert spans("能帮我看看操作步骤吗") == []


def test_custom_lexicon_spans_are_exact() -> None:
    lexicon = AbuseLexicon({"insult": ["蠢货", "moron"]})
    text = "你这个蠢*货, total MORON"
    found = lexicon.find(text)
    assert [(text[s.start : s.end], s.kind) for s in found] == [
        ("蠢*货", "insult"),
        ("MORON", "insult"),
    ]

from couples.accounts.passwords import make_hasher, verify, weakness

RULES = {"min_length": 10, "max_length": 1024, "min_score": 3}


def test_short_passwords_are_refused():
    assert "at least 10" in weakness("a9$Kq!2x", **RULES)


def test_common_and_keyboard_passwords_are_refused():
    for password in ("password123", "qwertyuiop", "1234567890", "iloveyou12", "letmein2024"):
        assert weakness(password, **RULES), password


def test_a_refusal_reads_as_sentences_with_one_full_stop_each():
    # zxcvbn's own warning ends with a full stop ("This is a very common password.").
    for password in ("password123", "aaaaaaaaaa", "iloveyou12"):
        message = weakness(password, **RULES)
        assert ".." not in message and ". ." not in message, message
        assert message.endswith(" A few unrelated words together work well."), message
    assert weakness("password123", **RULES) == (
        "This password is too easy to guess. This is a very common password."
        " A few unrelated words together work well."
    )


def test_passwords_made_of_the_users_own_details_are_refused():
    assert weakness("robin.smith", user_inputs=("robin.smith@example.com",), **RULES)


def test_unrelated_words_and_any_characters_pass():
    for password in (
        "velvet hamster orbit lamp",
        "ümlaut ünïcödé 😀 süßes",
        "x" * 3 + "Q7#pL9!vZ2",
    ):
        assert weakness(password, **RULES) is None, password


def test_very_long_passwords_are_judged_without_error():
    assert weakness("velvet hamster orbit lamp " * 30, **RULES) is None
    assert "at most" in weakness("y" * 1025, **RULES)


def test_argon2id_hash_verifies_only_the_right_password():
    hasher = make_hasher(1, 1024, 1)
    stored = hasher.hash("velvet hamster orbit lamp")
    assert stored.startswith("$argon2id$")
    assert verify(hasher, stored, "velvet hamster orbit lamp")
    assert not verify(hasher, stored, "velvet hamster orbit lam")
    assert not verify(hasher, "not a hash", "anything")

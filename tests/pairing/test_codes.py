from couples.pairing.services import CODE_ALPHABET, normalize_code


def test_codes_are_normalized_from_what_people_type():
    assert normalize_code("7k2m9-qx4tb") == "7K2M9QX4TB"
    assert normalize_code(" 7K2M9 QX4TB ") == "7K2M9QX4TB"
    assert normalize_code("oK2M9QX4TB") == "0K2M9QX4TB"  # O read as zero
    assert normalize_code("short") is None
    assert normalize_code("7K2M9QX4T\x00") is None
    assert "U" not in CODE_ALPHABET and "I" not in CODE_ALPHABET

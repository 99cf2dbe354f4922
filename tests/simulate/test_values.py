"""Generated identifiers pass the checks real validators apply."""

from __future__ import annotations

import re

import numpy as np
import phonenumbers
from stdnum import iban
from stdnum.au import abn
from stdnum.br import cnpj
from stdnum.de import vat as de_vat
from stdnum.gb import vat as gb_vat
from stdnum.us import ein

from leakline.core.sfid import to18
from leakline.simulate import finance
from leakline.simulate.geo import PLACES, PlaceData, people
from leakline.simulate.ids import IdFactory, RequestIds


def test_ibans_are_valid_for_every_country() -> None:
    rng = np.random.default_rng(1)
    for country in finance.iban_countries():
        for _ in range(20):
            value = finance.make_iban(country, rng)
            assert iban.is_valid(value) and value.startswith(country)


def test_routing_numbers_pass_the_aba_checksum() -> None:
    rng = np.random.default_rng(2)
    numbers = [finance.make_aba_routing(rng) for _ in range(200)]
    assert all(finance.aba_valid(n) for n in numbers)
    assert not finance.aba_valid("123456789")


def test_tax_ids_validate() -> None:
    rng = np.random.default_rng(3)
    assert ein.is_valid(finance.make_tax_id("US", rng))
    assert de_vat.is_valid(finance.make_tax_id("DE", rng))
    assert gb_vat.is_valid(finance.make_tax_id("GB", rng))
    assert abn.is_valid(finance.make_tax_id("AU", rng))
    assert cnpj.is_valid(finance.make_tax_id("BR", rng))


def test_ssns_follow_the_issuance_rules() -> None:
    rng = np.random.default_rng(4)
    for _ in range(500):
        area, group, serial = finance.make_ssn(rng).split("-")
        assert area not in ("000", "666") and not area.startswith("9")
        assert group != "00" and serial != "0000"


def test_people_have_country_shaped_addresses_and_valid_phones() -> None:
    ppl = people(PlaceData(np.random.default_rng(5)), 400)
    for i in range(400):
        place = PLACES[ppl.place[i]]
        assert phonenumbers.is_valid_number(phonenumbers.parse(ppl.phone[i], place.country))
        if place.country == "US":
            assert re.fullmatch(r"\d{5}", ppl.postal[i])
        if place.country == "CA":
            assert re.fullmatch(r"[A-Z]\d[A-Z] \d[A-Z]\d", ppl.postal[i])
        if place.country == "GB":
            assert re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}", ppl.postal[i])


def test_bulk_ids_equal_single_ids_and_request_ids_are_unique() -> None:
    a, b = IdFactory(9), IdFactory(9)
    many = a.many("Account", 500)
    assert many == [b.new("Account") for _ in range(500)]
    assert all(to18(x[:15]) == x for x in many)
    req = RequestIds(9).take(300_000)
    assert len(set(req)) == len(req) and all(len(r) == 22 for r in req[:100])

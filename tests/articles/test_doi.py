"""DOIs: every shape the DOI Handbook allows is accepted and normalised; text that is not a DOI is refused."""

import pytest
from django.core.exceptions import ValidationError

from articles.doi import doi_url, normalize_doi

SICI = "10.1002/(SICI)1097-4636(199706)35:4<517::AID-JBM12>3.0.CO;2-G"

# (as typed or pasted, as stored): real DOI shapes from Crossref, DataCite and mEDRA registrants.
VALID_DOIS = [
    (SICI, SICI.lower()),
    (
        "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0",
        "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0",
    ),
    (
        "10.1002/(SICI)1521-3773(19980904)37:16<2224::AID-ANIE2224>3.0.CO;2-#",
        "10.1002/(sici)1521-3773(19980904)37:16<2224::aid-anie2224>3.0.co;2-#",
    ),
    (
        "10.1002/(SICI)1099-1409(199908/10)3:6/7<672::AID-JPP192>3.0.CO;2-8",
        "10.1002/(sici)1099-1409(199908/10)3:6/7<672::aid-jpp192>3.0.co;2-8",
    ),
    ("10.1130/0091-7613(1999)027<0267:TAOTRE>2.3.CO;2", "10.1130/0091-7613(1999)027<0267:taotre>2.3.co;2"),
    ("10.1175/1520-0469(1999)056<0003:AMSACI>2.0.CO;2", "10.1175/1520-0469(1999)056<0003:amsaci>2.0.co;2"),
    ("10.1577/1548-8659(1994)123[0001:TITHOP]2.3.CO;2", "10.1577/1548-8659(1994)123[0001:tithop]2.3.co;2"),
    ("10.1016/S0040-4039(00)94553-9", "10.1016/s0040-4039(00)94553-9"),
    ("10.15826/recon.2025.11.3.016", "10.15826/recon.2025.11.3.016"),
    ("10.1016/j.jclepro.2012.12.037", "10.1016/j.jclepro.2012.12.037"),
    ("10.1038/nature12373", "10.1038/nature12373"),
    ("10.1126/science.1259855", "10.1126/science.1259855"),
    ("10.3133/mcs2025", "10.3133/mcs2025"),
    ("10.1109/5.771073", "10.1109/5.771073"),
    ("10.1007/978-3-030-12345-6_7", "10.1007/978-3-030-12345-6_7"),
    ("10.1371/journal.pone.0123456", "10.1371/journal.pone.0123456"),
    ("10.1017/S0022112010000000", "10.1017/s0022112010000000"),
    ("10.1111/j.1365-2486.2009.02034.x", "10.1111/j.1365-2486.2009.02034.x"),
    ("10.1146/annurev-environ-012420-045046", "10.1146/annurev-environ-012420-045046"),
    ("10.1080/00325899.2017.1318480", "10.1080/00325899.2017.1318480"),
    ("10.1787/9789264311992-en", "10.1787/9789264311992-en"),
    ("10.17226/25000", "10.17226/25000"),
    ("10.2139/ssrn.3456789", "10.2139/ssrn.3456789"),
    ("10.1101/2020.03.22.002386", "10.1101/2020.03.22.002386"),
    # DataCite
    ("10.5281/zenodo.1234567", "10.5281/zenodo.1234567"),
    ("10.6084/m9.figshare.5616445.v1", "10.6084/m9.figshare.5616445.v1"),
    ("10.5061/dryad.2rbnzs7jp", "10.5061/dryad.2rbnzs7jp"),
    ("10.48550/arXiv.2401.00001", "10.48550/arxiv.2401.00001"),
    ("10.22541/au.162003548.85366413/v1", "10.22541/au.162003548.85366413/v1"),
    ("10.31223/X5JS3M", "10.31223/x5js3m"),
    # mEDRA (the EU Publications Office, Italian publishers)
    ("10.2760/904613", "10.2760/904613"),
    ("10.1400/230155", "10.1400/230155"),
    ("10.3280/EC2018-001001", "10.3280/ec2018-001001"),
    # The Handbook's own examples: a subdivided registrant code, any printable suffix
    ("10.1000/182", "10.1000/182"),
    ("10.1000.10/123456", "10.1000.10/123456"),
    # Unicode suffixes: only ASCII letters are case-folded
    ("10.12345/王小明.2025", "10.12345/王小明.2025"),
    ("10.1000/Ødegård-2025", "10.1000/Ødegård-2025"),
    # Upper case, resolver prefixes, percent-encoding
    ("10.1038/NATURE12373", "10.1038/nature12373"),
    ("doi:10.1038/nature12373", "10.1038/nature12373"),
    ("DOI: 10.1038/nature12373", "10.1038/nature12373"),
    ("info:doi/10.1038/nature12373", "10.1038/nature12373"),
    ("https://doi.org/10.1038/nature12373", "10.1038/nature12373"),
    ("http://dx.doi.org/10.1038/nature12373", "10.1038/nature12373"),
    ("https://www.doi.org/10.1038/nature12373", "10.1038/nature12373"),
    ("doi.org/10.1038/nature12373", "10.1038/nature12373"),
    ("  https://doi.org/10.1038/nature12373  ", "10.1038/nature12373"),
    (
        "https://doi.org/10.1002/%28SICI%291097-4636%28199706%2935%3A4%3C517%3A%3AAID-JBM12%3E3.0.CO%3B2-G",
        SICI.lower(),
    ),
    (
        "https://doi.org/10.1002/(SICI)1521-3773(19980904)37:16%3C2224::AID-ANIE2224%3E3.0.CO;2-%23",
        "10.1002/(sici)1521-3773(19980904)37:16<2224::aid-anie2224>3.0.co;2-#",
    ),
    ("https://doi.org/10.12345/%E7%8E%8B%E5%B0%8F%E6%98%8E.2025", "10.12345/王小明.2025"),
    ("10.1000/50%off", "10.1000/50%off"),  # a literal % that is no escape stays
]

NOT_DOIS = [
    "",
    "   ",
    "hello",
    "doi:",
    "https://doi.org/",
    "10.1234",
    "10.1234/",
    "11.1234/abc",
    "10./abc",
    "10.abc/def",
    "1O.1234/abc",
    "10.1234/has space",
    "10.1234/line\nbreak",
    "https://example.com/10.1234/x",
    "ISBN 978-3-16-148410-0",
    "arXiv:2401.00001",
    "PMID: 12345678",
]


def test_the_tables_are_as_large_as_promised():
    assert len(VALID_DOIS) >= 40
    assert len(NOT_DOIS) >= 15


@pytest.mark.parametrize(("value", "stored"), VALID_DOIS)
def test_normalize_doi_accepts_every_valid_doi(value, stored):
    assert normalize_doi(value) == stored


@pytest.mark.parametrize("value", NOT_DOIS)
def test_normalize_doi_refuses_what_is_not_a_doi(value):
    with pytest.raises(ValidationError) as exc:
        normalize_doi(value)
    assert exc.value.code == "invalid_doi"
    assert "is not a DOI" in exc.value.messages[0]
    assert "10.15826/recon.2025.11.3.016" in exc.value.messages[0]


@pytest.mark.parametrize(("value", "stored"), VALID_DOIS)
def test_a_stored_doi_normalises_to_itself_and_its_link_leads_back_to_it(value, stored):
    assert normalize_doi(stored) == stored
    assert normalize_doi(doi_url(stored)) == stored


def test_doi_url_percent_encodes_what_a_url_cannot_carry():
    assert doi_url(SICI.lower()) == (
        "https://doi.org/10.1002/(sici)1097-4636(199706)35:4%3C517::aid-jbm12%3E3.0.co;2-g"
    )
    assert doi_url("10.1000/a#b?c d") == "https://doi.org/10.1000/a%23b%3Fc%20d"
    assert doi_url("10.12345/王") == "https://doi.org/10.12345/%E7%8E%8B"
    assert doi_url("10.1038/nature12373") == "https://doi.org/10.1038/nature12373"
    assert doi_url("") == ""

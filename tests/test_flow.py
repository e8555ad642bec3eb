"""The guided "What will I pay?" pages, walked as a patient would: from each clinic's start
page, following only the links in the built HTML. Every answer page's amounts must equal
what the pricing engine gives for the inputs the page names (care, plan, visits used,
deductible and cost sharing of its table rows), and `sitegen estimate --clinic` must print
the same amounts as the matching row."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner
from helpers import CLINIC, SITE, write_site

from sitegen.build import BuildOptions, build, load_site
from sitegen.cli import main
from sitegen.diagnostics import Diagnostics
from sitegen.estimates import price_course, self_pay_options, visit_plan
from sitegen.flow import care_name, clinic_flow, page_count
from sitegen.model import Scenario, SecondCoverage, TherapySpent
from sitegen.render import money

ROOT = Path(__file__).resolve().parent.parent
NS = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def example():
    result = build(BuildOptions(root=ROOT), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    site = load_site(BuildOptions(root=ROOT), Diagnostics())
    pages = {k: v.decode() for k, v in result.files.items() if k.endswith(".html")}
    pages["files"] = result.files  # type: ignore[assignment]
    return pages, site


def text(node) -> str:
    return re.sub(r"\s+", " ", "".join(node.itertext())).strip()


def resolve(page: str, href: str) -> str:
    href = href.partition("#")[0]
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), href))
    return posixpath.join(target, "index.html") if href.endswith("/") else target


def main_links(tree) -> list[str]:
    main = next(tree.iter(f"{NS}main"))
    return [a.get("href") for a in main.iter(f"{NS}a")]


def walk(pages: dict[str, str], start: str) -> tuple[list[str], list[str]]:
    """(question pages, answer pages) reached from `start` by the links inside the flow."""
    prefix = start.removesuffix("index.html")
    seen, todo, questions, answers = {start}, [start], [], []
    while todo:
        rel = todo.pop()
        tree = html5lib.parse(pages[rel])
        h1 = text(next(tree.iter(f"{NS}h1")))
        (answers if h1 == "What you pay" else questions).append(rel)
        for href in main_links(tree):
            if href.startswith("#"):
                continue
            target = resolve(rel, href)
            if target.startswith(prefix) and target not in seen:
                assert target in pages, (rel, href)
                seen.add(target)
                todo.append(target)
    return sorted(questions), sorted(answers)


def answered(tree) -> dict[str, str]:
    """The answers a page lists, question -> answer (without the 'Change' link)."""
    found = {}
    for dl in tree.iter(f"{NS}dl"):
        for div in dl:
            dt, dd = div[0], div[1]
            found[text(dt)] = text(dd).removesuffix(text(dd.find(f"{NS}a"))).strip()
    return found


def leaf_inputs(site, source, facts: dict[str, str]):
    """The course, the way of paying and the visits used that a leaf's answers name."""
    care = facts["Which care do you need?"]
    course, sessions = next((c, n) for c in source.schedule.courses
                            for n in c.session_counts() if care_name(c, n) == care)
    pay = facts.get("How will you pay?", "Paying yourself")
    used = facts.get("How many visits has your plan already covered this year?")
    used = None if used is None else (0 if used == "None yet" else int(used.split()[0]))
    return course.with_sessions(sessions), pay, used


def expected_scenario(site, source, pay: str, used: int | None, deductible: str,
                      sharing: str) -> Scenario:
    """The scenario a row means, rebuilt from site.yaml's choices by the row's words."""
    settings = site.config.what_will_i_pay
    if pay == "Paying yourself":
        return Scenario(id="s", name="s", network="self-pay")
    payer = next((p for p in source.schedule.payers if p.key == pay), None)
    if payer is not None and payer.original_medicare:
        figures = site.config.medicare_year(source.clinic.last_updated.year)
        left = figures.part_b_deductible if deductible == "Not started" else Decimal(0)
        return Scenario(id="s", name="s", network="in-network", payer=payer.key, medicare=True,
                        deductible_remaining=left, coinsurance=settings.medicare_coinsurance)
    d = next(x for x in settings.deductible if x.name == deductible)
    c = next(x for x in settings.cost_sharing if x.name == sharing)
    common = dict(deductible_remaining=d.deductible_remaining, coinsurance=c.coinsurance,
                  copay=c.copay, copay_waives_deductible=c.copay_waives_deductible,
                  oop_remaining=d.oop_remaining)
    if payer is None:
        return Scenario(id="s", name="s", network="out-of-network",
                        allowed_share=settings.out_of_network_allowed_share, **common)
    left = None if used is None else payer.visit_limit.visits - used
    return Scenario(id="s", name="s", network="in-network", payer=payer.key,
                    visits_remaining=left, **common)


def second_from_words(site, words: str) -> SecondCoverage | None:
    """The second coverage an answer to "other coverage?" names."""
    if words == "No, only Medicare":
        return None
    if words == "Medicaid":
        return SecondCoverage(type="medicaid")
    if words == "Another plan that pays after Medicare":
        return SecondCoverage(type="commercial", name="Your other plan",
                              coinsurance=site.config.what_will_i_pay.second_plan_coinsurance)
    letter = re.fullmatch(r"Medigap \(Medicare Supplement\) Plan ([A-N])", words).group(1)
    return SecondCoverage(type="medigap", medigap_plan=letter)


def medicare_scenario(site, source, payer, second, start: str, so_far: str) -> Scenario:
    """A Medicare row's scenario, rebuilt from its words: the start month ('In December
    2026' is December 1; 'Before ...' is no date), and what this year already counted."""
    figures = site.config.medicare_year(source.clinic.last_updated.year)
    day = None
    if start.startswith("In "):
        month, year = start.split()[1:]
        day = dt.datetime.strptime(f"{month} {year}", "%B %Y").date()
    left = figures.part_b_deductible if so_far.startswith("Nothing yet") else Decimal(0)
    spent = TherapySpent()
    found = re.search(r"\$([\d,]+\.\d\d) of (.*) already", so_far)
    if found:
        amount = Decimal(found.group(1).replace(",", ""))
        spent = TherapySpent(pt_slp=amount if "physical" in found.group(2) else Decimal(0),
                             ot=amount if "occupational" in found.group(2) else Decimal(0))
    return Scenario(id="s", name="s", network="in-network", payer=payer.key, medicare=True,
                    deductible_remaining=left, coinsurance=Decimal("0.20"),
                    therapy_spent=spent, second_coverage=second, start=day)


def check_medicare_rows(site, source, course, tree, heads, rows) -> int:
    """Each Medicare row: you, Medicare and the second coverage as the engine prices it."""
    facts = answered(tree)
    payer = next(p for p in source.schedule.payers if p.key == facts["How will you pay?"])
    second = second_from_words(site, facts["Do you have other coverage besides Medicare?"])
    for cells in rows:
        row = dict(zip(heads, cells))
        scenario = medicare_scenario(site, source, payer, second, row.get("When you start", ""),
                                     row["Already counted this year"])
        result = price_course(source, course, scenario, site.config)
        second_cell = [v for k, v in row.items() if k.endswith(" pays") and k != "Medicare pays"]
        assert (row["You pay"], row["Medicare pays"], second_cell) == (
            money(result.patient_total), money(result.plan_total),
            [money(result.second_total)] if second else []), (course.id, row)
    return len(rows)


def check_self_pay_rows(site, source, course, rows) -> int:
    """The cash price row, then packages and sliding-scale tiers by their names."""
    plans = tuple(visit_plan(source, v) for v in course.visits)
    options = {r.scenario.name.removeprefix("No insurance, "): r.estimate
               for r in self_pay_options(source, plans)}
    cash = price_course(source, course, Scenario(id="s", name="s", network="self-pay"),
                        site.config)
    assert rows[0][0].startswith("The clinic's cash price")
    assert rows[0][1] == money(cash.patient_total)
    for how, you in rows[1:]:
        assert you == money(options[how[0].lower() + how[1:]].patient_total), how
    assert len(rows) == len(options) + 1
    return len(rows)


def test_whole_tree_of_every_clinic_matches_the_pricing_engine(example) -> None:
    pages, site = example
    rows_checked = 0
    pages = {k: v for k, v in pages.items() if k != "files"}
    for source in site.clinics:
        start = f"clinics/{source.slug}/what-will-i-pay/index.html"
        questions, answers = walk(pages, start)
        flow = clinic_flow(site.config, source)
        # every page of the tree is reachable, and nothing else is in its folder
        assert len(questions) == len(flow.questions) and len(answers) == len(flow.answers)
        assert len(questions) + len(answers) == page_count(site.config, source)
        in_folder = [p for p in pages if p.startswith(start.removesuffix("index.html"))]
        assert sorted(in_folder) == sorted(questions + answers)
        for rel in answers:
            tree = html5lib.parse(pages[rel])
            course, pay, used = leaf_inputs(site, source, answered(tree))
            table = [t for t in tree.iter(f"{NS}table") if "answer" in (t.get("class") or "")]
            if table:
                body = next(table[0].iter(f"{NS}tbody"))
                rows = [[text(cell) for cell in tr] for tr in body]
                heads = [text(th) for th in table[0].iter(f"{NS}th") if th.get("scope") == "col"]
                if "Medicare pays" in heads:
                    rows_checked += check_medicare_rows(site, source, course, tree, heads, rows)
                    continue
                if heads == ["How you pay", "You pay"]:
                    rows_checked += check_self_pay_rows(site, source, course, rows)
                    continue
            else:  # one answer: "You pay $X; your plan pays $Y."
                line = text(next(p for p in tree.iter(f"{NS}p")
                                 if p.get("class") == "you-pay"))
                amounts = re.findall(r"\$[\d,]+\.\d\d", line)
                rows = [["", "", amounts[0], amounts[1] if len(amounts) > 1 else "$0.00"]]
            for deductible, sharing, you, plan, *_ in rows:
                scenario = expected_scenario(site, source, pay, used, deductible, sharing)
                result = price_course(source, course, scenario, site.config)
                assert (you, plan) == (money(result.patient_total), money(result.plan_total)), \
                    (rel, deductible, sharing)
                rows_checked += 1
    assert rows_checked > 500


def test_question_pages_follow_the_one_question_pattern(example) -> None:
    pages, _ = example
    start = "clinics/riverside-hand-ot/what-will-i-pay/index.html"
    questions, answers = walk(pages, start)
    for rel in questions + answers:
        tree = html5lib.parse(pages[rel])
        main = next(tree.iter(f"{NS}main"))
        links = {text(a): resolve(rel, a.get("href")) for a in main.iter(f"{NS}a")}
        assert links.get("Start again") == start, rel
        if rel != start:
            assert "Back" in links, rel
    tree = html5lib.parse(pages["clinics/riverside-hand-ot/what-will-i-pay/"
                                "post-surgery-hand-12/index.html"])
    assert text(next(tree.iter(f"{NS}title"))).startswith("How will you pay? · ")
    assert "Question 2 of 5" in text(next(tree.iter(f"{NS}main")))
    assert answered(tree) == {"Which care do you need?": "Post-surgery hand therapy: "
                              "evaluation, splint and 8 sessions (with 12 sessions instead "
                              "of 8)"}
    choices = [text(a) for a in tree.iter(f"{NS}a") if a.get("class") == "choice"]
    assert choices == ["Paying yourself", "Aetna PPO", "Regence BlueCross BlueShield PPO",
                       "Providence Health Plan HMO", "Medicare Part B", "Moda Health PPO",
                       "Another plan (out of network)"]
    hint = next(p for p in tree.iter(f"{NS}p") if p.get("class") == "hint")
    assert "enrolled in Medicare or Medicaid are not in the self-pay group" in text(hint)


def test_page_counts_stay_in_the_tens(example) -> None:
    _, site = example
    counts = {s.slug: page_count(site.config, s) for s in site.clinics}
    # riverside: 1 + 5 cares x (1 pay question + self + Aetna + out of network
    # + Medicare (1 other-coverage question + only Medicare, Plan G, Plan N, Medicaid,
    # another plan) + 3 limited plans x (1 visits question + 3 answers)) = 1 + 5 x 21 = 106
    # (81 before Medicare asked about other coverage: 5 more pages per care)
    assert counts == {"cedar-street-pt": 43, "juniper-hill-pt": 10, "little-steps-pediatric": 55,
                      "mercy-valley-rehab": 81, "riverside-hand-ot": 106}


def test_the_patient_of_the_issue_and_the_command_agree(example) -> None:
    """Aetna PPO, 12 sessions after hand surgery, $1,500 deductible left, 20%, $4,000 left."""
    pages, _ = example
    tree = html5lib.parse(pages["clinics/riverside-hand-ot/what-will-i-pay/post-surgery-hand-12/"
                                "aetna-ppo/index.html"])
    row = next(tr for tr in tree.iter(f"{NS}tr") if tr.get("id") ==
               "row-not-started--coinsurance-20")
    # The issue measured $1,571.31 before the splint visit stopped billing the fitting as
    # 97760 (one unit less of Aetna's 97760 rate, $44.90, of which the patient pays 20%).
    assert [text(c) for c in row] == ["Not started: $1,500.00 left", "20% coinsurance",
                                      "$1,562.33", "$249.32", "$1,811.65"]
    args = ["estimate", "--site", str(ROOT), "--clinic", "riverside-hand-ot", "--course",
            "post-surgery-hand", "--visits", "12", "--plan", "Aetna PPO", "--deductible-left",
            "1500.00", "--coinsurance", "0.20", "--oop-left", "4000.00"]
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["patient_total"], data["plan_total"]) == ("1562.33", "249.32")
    assert len(data["visits"]) == 14
    table = CliRunner().invoke(main, args)
    assert table.exit_code == 0
    assert re.search(r"^Total +\$1,562\.33 +\$249\.32$", table.output, re.M)
    assert "Paying: Aetna PPO" in table.output
    assert "- $1,500.00 of your deductible is left." in table.output


@pytest.mark.parametrize("args, message", [
    (["--clinic", "nowhere", "--course", "x", "--self-pay"],
     "--clinic: no clinic 'nowhere'; valid clinics: cedar-street-pt, juniper-hill-pt, "
     "little-steps-pediatric, "
     "mercy-valley-rehab, riverside-hand-ot"),
    (["--clinic", "juniper-hill-pt", "--course", "eval", "--self-pay"],
     "--course: juniper-hill-pt has no course 'eval'; valid courses: eval-and-8"),
    (["--clinic", "mercy-valley-rehab", "--course", "pt-eval-and-12", "--plan", "Cigna"],
     "--plan: 'Cigna' is not a plan of mercy-valley-rehab; valid plans: Medicare Part B, "
     "Humana Medicare Advantage HMO, UnitedHealthcare Choice Plus, Cigna Open Access Plus, "
     "Premera Blue Cross PPO"),
    (["--clinic", "juniper-hill-pt", "--course", "eval-and-8"],
     "say how the patient pays with exactly one of --plan \"NAME PLAN\", --self-pay or "
     "--out-of-network"),
    (["--clinic", "riverside-hand-ot", "--course", "eval-and-12", "--plan", "Aetna PPO",
      "--visits-used", "3"], "--visits-used: Aetna PPO has no visit limit on file"),
])
def test_estimate_command_usage_errors_list_the_valid_choices(args, message) -> None:
    result = CliRunner().invoke(main, ["estimate", "--site", str(ROOT), *args])
    assert result.exit_code == 2
    assert f"Error: {message}\n" in result.output


def test_visits_used_leave_fewer_covered_visits(example) -> None:
    """Regence PPO (25 visits, PT and OT) with 20 used: 5 covered visits left, so 9 of the
    14 visits are paid at the cash price; the command agrees."""
    pages, _ = example
    rel = ("clinics/riverside-hand-ot/what-will-i-pay/post-surgery-hand-12/"
           "regence-bluecross-blueshield-ppo/used-20/index.html")
    tree = html5lib.parse(pages[rel])
    row = next(tr for tr in tree.iter(f"{NS}tr") if tr.get("id") == "row-met--copay-40")
    cells = [text(c) for c in row]
    result = CliRunner().invoke(main, [
        "estimate", "--site", str(ROOT), "--clinic", "riverside-hand-ot", "--course",
        "post-surgery-hand", "--visits", "12", "--plan", "Regence BlueCross BlueShield PPO",
        "--copay", "40", "--oop-left", "2500.00", "--visits-used", "20", "--json"])
    data = json.loads(result.output)
    # eval, splint visit, 3 sessions at $40; 9 sessions at the cash price 50 + 52 + 60
    assert data["patient_total"] == "1658.00" == cells[2].replace("$", "").replace(",", "")
    assert [v["patient"] for v in data["visits"]][4:6] == ["40.00", "162.00"]


def test_cap_on_pages_per_clinic_fails_clearly(tmp_path: Path) -> None:
    rates = (ROOT / "rates/riverside-hand-ot.yaml").read_text()
    site = (ROOT / "site.yaml").read_text() + "what_will_i_pay:\n  max_pages_per_clinic: 60\n"
    root = write_site(tmp_path, {"site.yaml": site, "rates/riverside-hand-ot.yaml": rates})
    result = build(BuildOptions(root=root), write=False)
    line = rates.splitlines().index("courses:") + 1
    assert [d.format() for d in result.diagnostics.items] == [
        f"rates/riverside-hand-ot.yaml:{line}:1: error: \"What will I pay?\" would make 106 "
        "pages for this clinic (got 106, the limit is 60); offer fewer lengths: in its courses "
        "or fewer plans, shorten what_will_i_pay.visits_used (or medigap_plans, for "
        "Medicare) in site.yaml, or raise what_will_i_pay.max_pages_per_clinic there"]


NO_INSURANCE = CLINIC.replace("  last_updated: 2026-09-01\n",
                              "  last_updated: 2026-09-01\n  insurance: none\n") + """\
services:
  - id: eval
    code: "97162"
    description: First visit
    settings: [evaluation]
    gross_charge: 150.00
    cash_price: 120.00
  - id: exercise
    code: "97110"
    description: Exercise
    settings: [outpatient]
    timed: true
    gross_charge: 50.00
    cash_price: 40.00
sessions:
  - id: visit
    name: Visit
    setting: outpatient
    lines: [{service: exercise, minutes: 30}]
courses:
  - id: six
    name: Evaluation and 6 visits
    visits: [{service: eval}, {session: visit, count: 6}]
"""

SCENARIOS = SITE + """\
scenarios:
  - {id: self-pay, name: Paying yourself, network: self-pay}
  - {id: copay, name: In network with a copay, network: in-network, copay: 40.00,
     copay_waives_deductible: true}
  - {id: oon, name: Out of network, network: out-of-network, allowed_share: 0.60,
     coinsurance: 0.40}
"""


def test_a_clinic_that_takes_no_insurance_passes_strict(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"site.yaml": SCENARIOS, "rates/cash.yaml": NO_INSURANCE})
    result = build(BuildOptions(root=root, strict=True), write=False)
    assert result.ok and not result.diagnostics.items
    files = {k: v.decode() for k, v in result.files.items()}
    page = html5lib.parse(files["clinics/cash/estimates/index.html"])
    rows = [tr.get("id") for tr in page.iter(f"{NS}tr") if tr.get("id")]
    assert rows == ["six--self-pay"]  # 120 + 6 x 2 x 40 = 600
    assert "Test Clinic does not bill insurance." in text(next(page.iter(f"{NS}main")))
    assert not [k for k in files if "/plans/" in k]
    # the flow skips "How will you pay?": the one answer is paying yourself
    flow = [k for k in files if "/what-will-i-pay/" in k]
    assert flow == ["clinics/cash/what-will-i-pay/index.html",
                    "clinics/cash/what-will-i-pay/six-6/self-pay/index.html"]
    answer = html5lib.parse(files[flow[1]])
    assert "You pay $600.00." in text(next(answer.iter(f"{NS}main")))


def test_no_insurance_with_payers_is_an_error(tmp_path: Path) -> None:
    rates = NO_INSURANCE + "payers:\n  - {name: Acme, plan: PPO}\n"
    root = write_site(tmp_path, {"site.yaml": SCENARIOS, "rates/cash.yaml": rates})
    result = build(BuildOptions(root=root), write=False)
    assert [d.format() for d in result.diagnostics.items] == [
        "rates/cash.yaml:11:14: error: the clinic says insurance: none but lists 1 "
        "in-network plan(s) under payers:; remove the payers, or set insurance: in-network"]


def test_superbill_clinic_shows_what_a_plan_may_pay_back(example) -> None:
    """Juniper Hill: evaluation 165.00 and 8 visits of 183.00 (97110 x2, 97140, 97112).
    Out of network at 60% allowed, 40% coinsurance, deductible met: per visit the plan may
    pay back 60% x 60% of the price (59.40 and 65.88); you pay the rest."""
    pages, _ = example
    tree = html5lib.parse(pages["clinics/juniper-hill-pt/estimates/index.html"])
    row = next(tr for tr in tree.iter(f"{NS}tr") if tr.get("id") == "eval-and-8--out-of-network")
    assert [text(c) for c in row] == ["Out of network, deductible met", "$1,042.56", "$586.44",
                                      "$1,629.00"]
    heads = [text(th) for th in tree.iter(f"{NS}th") if th.get("scope") == "col"][:4]
    assert heads == ["Coverage", "You pay in the end", "Your plan may pay you back", "Total"]
    main = text(next(tree.iter(f"{NS}main")))
    assert "a reimbursement the clinic does not control" in main
    assert "You pay $183.00 at the visit; your plan may pay you back $65.88" in main
    assert "In network" not in main


def test_plan_pages_show_the_plans_own_rates_and_limits(example) -> None:
    pages, site = example
    for source in site.clinics:
        for payer in source.schedule.payers:
            rel = f"clinics/{source.slug}/plans/{payer.slug}/index.html"
            tree = html5lib.parse(pages[rel])
            for service in source.schedule.services:
                for setting in service.settings:
                    row = next(tr for tr in tree.iter(f"{NS}tr")
                               if tr.get("id") == f"{setting}--{service.id}")
                    cell = text(row[-1])
                    rate = service.negotiated.get(payer.key)
                    if setting == "inpatient" and service.inpatient_bundled:
                        assert cell.startswith("Included"), rel
                    elif rate is None:
                        assert cell == "No rate on file: ask the clinic", rel
                    else:
                        assert cell == money(rate), rel
    aetna = html5lib.parse(pages["clinics/riverside-hand-ot/plans/aetna-ppo/index.html"])
    main = text(next(aetna.iter(f"{NS}main")))
    assert "Visit limit: No limit on file: ask your plan." in main
    regence = html5lib.parse(pages["clinics/riverside-hand-ot/plans/"
                                   "regence-bluecross-blueshield-ppo/index.html"])
    assert ("Visit limit: 25 visits per calendar year, one limit shared by occupational "
            "therapy and physical therapy.") in text(next(regence.iter(f"{NS}main")))
    # the plan's courses use its own rates: eval-and-12 at Aetna, deductible not met
    row = next(tr for tr in aetna.iter(f"{NS}tr") if tr.get("id") ==
               "course--eval-and-12--deductible-not-met")
    assert [text(c) for c in row][1] == "$1,589.83"
    # cost tables and the clinic page link every plan page
    for rel in ["clinics/riverside-hand-ot/index.html",
                "clinics/riverside-hand-ot/outpatient/index.html"]:
        line = next(p for p in html5lib.parse(pages[rel]).iter(f"{NS}p")
                    if p.get("class") == "plan-links")
        assert text(line) == ("Your plan's rates: Aetna PPO · Regence BlueCross BlueShield PPO "
                              "· Providence Health Plan HMO · Medicare Part B · Moda Health PPO")


def test_plan_pages_agree_with_the_price_files(example) -> None:
    pages, site = example
    files = pages["files"]
    for source in site.clinics:
        doc = json.loads(files[f"clinics/{source.slug}/prices.json"])
        for row in doc["rows"]:
            for plan, rate in (row.get("negotiated") or {}).items():
                payer = next(p for p in source.schedule.payers if p.key == plan)
                tree = html5lib.parse(pages[f"clinics/{source.slug}/plans/{payer.slug}/"
                                            "index.html"])
                cell = next(tr for tr in tree.iter(f"{NS}tr")
                            if tr.get("id") == f"{row['setting']}--{row['service_id']}")
                if not text(cell[-1]).startswith("Included"):
                    assert text(cell[-1]) == money(Decimal(rate)), (plan, row["service_id"])


def test_services_index_and_neutral_titles(example) -> None:
    pages, _ = example
    tree = html5lib.parse(pages["services/index.html"])
    rows = [[text(c) for c in tr] for tr in next(tree.iter(f"{NS}tbody"))]
    names = [r[0] for r in rows]
    assert names == sorted(names, key=str.lower)
    assert ["Therapeutic exercise", "CPT 97110", "Any therapy"] in rows
    assert ["Walking (gait) training", "CPT 97116", "Physical therapy"] in rows
    links = [a.get("href") for a in next(tree.iter(f"{NS}tbody")).iter(f"{NS}a")]
    assert len(links) == len(rows) and all(resolve("services/index.html", h) in pages
                                           for h in links)
    page = html5lib.parse(pages["services/97166/index.html"])
    assert text(next(page.iter(f"{NS}h1"))) == "Occupational therapy evaluation, moderate problem"
    heads = [text(th) for th in page.iter(f"{NS}th") if th.get("scope") == "col"]
    assert heads[:3] == ["Clinic", "Setting", "Prices as of"]
    dates = {(text(tr[0]).split(" ")[0], text(tr[2])) for tr in next(page.iter(f"{NS}tbody"))}
    assert dates == {("Little", "September 15, 2026"), ("Mercy", "November 2, 2026"),
                     ("Riverside", "October 1, 2026")}
    home = html5lib.parse(pages["index.html"])
    card = next(li for li in home.iter(f"{NS}li") if li.get("class") == "card")
    assert [text(a) for a in card.iter(f"{NS}a")][1:3] == ["What will I pay?", "Cost estimates"]


def test_the_summary_line_reports_pages_per_clinic(example) -> None:
    """Plans and "What will I pay?" pages make a clinic's page count grow: the build line
    gives the range and the largest clinic, `-v` every clinic's count."""
    from sitegen.cli import clinic_pages, summary

    files = example[0]["files"]
    counts = clinic_pages(files)
    assert counts == {"cedar-street-pt": 56, "juniper-hill-pt": 17,
                      "little-steps-pediatric": 67, "mercy-valley-rehab": 94,
                      "riverside-hand-ot": 119}
    for slug, count in counts.items():
        assert count == sum(1 for name in files
                            if name.startswith(f"clinics/{slug}/") and name.endswith(".html"))

    class Result:
        diagnostics = Diagnostics()
        clinics = 5

    Result.files = files  # type: ignore[attr-defined]
    pages = sum(1 for name in files if name.endswith(".html"))
    assert summary("Built", Result, 1.5) == (
        f"Built {pages} pages for 5 clinics (17 to 119 pages each; most: riverside-hand-ot) "
        "in 1.50 s, 0 warnings")
    one = {name: b"" for name in files if name.startswith("clinics/juniper-hill-pt/")}
    Result.files, Result.clinics = one, 1  # type: ignore[attr-defined]
    assert summary("Built", Result, 0.25) == "Built 17 pages for 1 clinic in 0.25 s, 0 warnings"



def test_answer_rows_joined_from_two_answers_never_share_an_id(tmp_path: Path) -> None:
    """Deductible 'a-b' with sharing 'c' and deductible 'a' with sharing 'b-c' would both be
    'a-b-c' if joined with one hyphen; ids also never take the page's own 'care' or 'gfe'."""
    rates = (ROOT / "rates/riverside-hand-ot.yaml").read_text()
    site = (ROOT / "site.yaml").read_text() + (
        "what_will_i_pay:\n  deductible:\n"
        "    - {id: a-b, name: One, deductible_remaining: 100.00}\n"
        "    - {id: a, name: Two, deductible_remaining: 0}\n"
        "    - {id: care, name: Three, deductible_remaining: 50.00}\n"
        "  cost_sharing:\n"
        "    - {id: c, name: Four, coinsurance: 0.20}\n"
        "    - {id: b-c, name: Five, coinsurance: 0.10}\n"
        "    - {id: gfe, name: Six, copay: 30.00}\n")
    root = write_site(tmp_path, {"site.yaml": site, "rates/riverside-hand-ot.yaml": rates})
    result = build(BuildOptions(root=root), write=False)
    assert not result.diagnostics.errors
    answers = [body for path, body in result.files.items()
               if "/what-will-i-pay/" in path and path.endswith(".html")]
    seen_rows = 0
    for body in answers:
        ids = [e.get("id") for e in html5lib.parse(body).iter() if e.get("id")]
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        seen_rows += ids.count("row-a-b--c") + ids.count("row-a--b-c")
    assert seen_rows > 0

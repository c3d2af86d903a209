"""The benchmark's data set is realistic and consistent: full assessments, comments, evidence files, a valid
audit chain, and sign-offs that are current for every submitted assessment."""

from __future__ import annotations

from django.core.files.storage import default_storage

from checklists.models import Assessment, Comment, Evidence, Item, Response
from checklists.rules.readiness import SignOffState
from checklists.selectors.readiness import readiness_for
from checklists.services.readiness import readiness_rebuild
from phb_readiness.audit.services import audit_verify
from phb_readiness.bench.data import BENCH_MANAGER, bench_data_build
from phb_readiness.sites.models import Membership, PilotSite


def test_bench_data_builds_full_sites_with_a_valid_audit_chain(framework):
    data = bench_data_build(sites=4)

    items = Item.objects.filter(section__framework=framework).count()
    assert PilotSite.objects.count() == 4
    assert Response.objects.count() == 4 * items == data.counts["responses"]
    assert 1 <= Comment.objects.count() / Response.objects.count() <= 5
    assert 0.5 <= Evidence.objects.count() / Response.objects.count() <= 1.5
    assert all(default_storage.exists(e.file.name) for e in Evidence.objects.all()[:20])
    assert audit_verify().ok
    # The bulk inserts went past the services, so the builder rebuilt the stored readiness: it agrees with the rows.
    assert readiness_rebuild(fix=False) == (4, [])

    measured = Assessment.objects.get(pk=data.assessment_pk)
    assert measured.state == Assessment.State.DRAFT
    assert Membership.objects.get(user__username=BENCH_MANAGER).site_id == measured.site_id == data.site_pk
    response = Response.objects.get(assessment=measured, item__code=data.item_code)
    assert response.comments.count() == 3
    assert response.evidence.count() == 1
    # The measured item's section is unsigned; another section is answered in full and signed by both sides.
    sections = {s.code: s for s in readiness_for(measured).section_figures}
    assert sections[response.item.section.code].signoff == SignOffState.NONE
    assert sections[data.signed_section_code].signoff == SignOffState.COMPLETE
    signed = Response.objects.get(assessment=measured, item__code=data.signed_item_code)
    assert signed.item.section.code == data.signed_section_code


def test_submitted_bench_assessments_carry_current_sign_offs(framework):
    bench_data_build(sites=10)

    submitted = Assessment.objects.exclude(state=Assessment.State.DRAFT)
    assert submitted.exists()
    for assessment in submitted:
        assert {s.signoff for s in readiness_for(assessment).section_figures} == {SignOffState.COMPLETE}

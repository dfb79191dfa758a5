"""The knowledge API and the learning loop, end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from tandem.engine.handoff import wants_human
from tandem.knowledge import service
from tandem.services import Services

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def lead(server) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
        r = await c.post("/api/v1/auth/login", json={"username": "lead", "password": "tandem-demo"})
        assert r.status_code == 200, r.text
        yield c


async def _seed_faq(services: Services) -> int:
    """The demo FAQ in the database and the index (the demo seed may have loaded it already)."""
    async with services.unit_of_work() as uow:
        await service.seed_demo_faq(uow.session, services.knowledge)
    return len(services.knowledge)


async def test_learning_loop_human_answer_becomes_what_the_ai_answers(
    services: Services, lead: httpx.AsyncClient
) -> None:
    assert await _seed_faq(services) >= 150  # the demo shop's FAQ, as in the product
    index = services.knowledge
    question = "你们的羊绒大衣可以免费改衣长吗？"
    paraphrase = "羊绒大衣能不能免费改衣长？"
    assert index.search(paraphrase).answer is None  # the AI does not know yet

    # A human agent resolved two handed-over conversations asking the same thing.
    async with services.unit_of_work() as uow:
        await service.learn_from_resolution(
            uow.session,
            index,
            conversation_id="conv_a",
            customer_questions=["在吗", question],
            agent_answers=["可以的，羊绒大衣支持免费改衣长一次，签收后 15 天内寄回即可。"],
            language="zh",
            asks_for_person=wants_human,
        )
        await service.learn_from_resolution(
            uow.session,
            index,
            conversation_id="conv_b",
            customer_questions=["羊绒大衣可以免费改衣长吗"],
            agent_answers=["可以免费改一次衣长。"],
            language="zh",
            asks_for_person=wants_human,
        )

    r = await lead.get("/api/v1/kb/candidates")
    assert r.status_code == 200, r.text
    (candidate,) = r.json()  # the near-duplicate was merged, not listed twice
    assert candidate["question"] == question
    assert candidate["occurrences"] == 2
    assert candidate["conversation_ids"] == ["conv_a", "conv_b"]
    assert "羊绒大衣可以免费改衣长吗" in candidate["alternatives"]

    r = await lead.post(
        f"/api/v1/kb/candidates/{candidate['id']}/approve",
        json={
            "intent": "product_info",
            "answer": "羊绒大衣支持免费改衣长一次：签收后 15 天内寄回即可。",
        },
    )
    assert r.status_code == 200, r.text
    entry = r.json()
    assert entry["status"] == "live" and entry["source"] == "learned"
    assert entry["source_conversation_id"] == "conv_a"

    result = index.search(paraphrase)  # the next paraphrase: the AI answers it itself
    assert result.answer is not None
    assert result.answer.entry_id == entry["id"]
    assert "免费改衣长" in result.answer.answer

    r = await lead.post(f"/api/v1/kb/candidates/{candidate['id']}/reject")
    assert r.status_code == 409  # reviewed once only


async def test_entry_edits_reach_the_index_at_once_and_keep_history(
    services: Services, lead: httpx.AsyncClient
) -> None:
    body = {
        "question": "会员生日有什么礼物？",
        "alternatives": ["生日有优惠吗", "过生日送什么"],
        "answer": "会员生日当月可领 20 元生日券。",
        "intent": "coupon",
    }
    r = await lead.post("/api/v1/kb/entries", json=body)
    assert r.status_code == 201, r.text
    entry = r.json()
    hit = services.knowledge.search("生日有没有优惠")
    assert hit.answer is not None and hit.answer.entry_id == entry["id"]

    body["answer"] = "会员生日当月可领 30 元生日券。"
    r = await lead.put(f"/api/v1/kb/entries/{entry['id']}", json={**body, "version": 1})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    hit = services.knowledge.search("生日有没有优惠")
    assert hit.answer is not None and "30 元" in hit.answer.answer

    r = await lead.put(f"/api/v1/kb/entries/{entry['id']}", json={**body, "version": 1})
    assert r.status_code == 409  # a stale edit does not overwrite

    r = await lead.delete(f"/api/v1/kb/entries/{entry['id']}")
    assert r.status_code == 200 and r.json()["status"] == "retired"
    assert entry["id"] not in services.knowledge

    r = await lead.get(f"/api/v1/kb/entries/{entry['id']}")
    assert [v["change"] for v in r.json()["history"]] == ["retired", "updated", "created"]


async def test_import_reports_bad_rows_and_export_round_trips(
    services: Services, lead: httpx.AsyncClient
) -> None:
    csv_text = "question,alternatives,answer,intent\n发票抬头能改吗,抬头写错了,可以换开,invoice\n,,没有问题,\n"
    r = await lead.post(
        "/api/v1/kb/import", files={"file": ("faq.csv", csv_text.encode("utf-8"), "text/csv")}
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["created"] == 1
    assert report["errors"] == [{"row": 3, "reason": "问题为空"}]  # the page reads zh by default
    assert services.knowledge.search("发票抬头写错了").candidates

    r = await lead.get("/api/v1/kb/export", params={"format": "jsonl"})
    assert r.status_code == 200
    assert "发票抬头能改吗" in r.text

    r = await lead.post("/api/v1/kb/import", files={"file": ("faq.docx", b"x", "application/x")})
    assert r.status_code == 422
    assert "csv" in r.json()["message"]


async def test_agents_get_suggestions_and_supervisor_pages_are_protected(
    services: Services, agent_client: httpx.AsyncClient
) -> None:
    assert await _seed_faq(services) >= 150
    r = await agent_client.get("/api/v1/kb/suggest", params={"q": "退款多久能到账"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["matches"][0]["intent"] == "refund_status"
    assert len(data["matches"]) <= 3

    r = await agent_client.get("/api/v1/kb/entries")
    assert r.status_code == 403


async def test_misses_are_grouped_into_gaps(services: Services, lead: httpx.AsyncClient) -> None:
    async with services.unit_of_work() as uow:
        for n, text in enumerate(
            [
                "能用数字人民币付款吗",
                "可以用数字人民币支付吗",
                "可以用数字人民币付款吗",
                "你们有实体店吗",
            ]
        ):
            await service.record_miss(
                uow.session,
                text=text,
                language="zh",
                conversation_id=f"c{n}",
                now=services.clock.now(),
            )
    r = await lead.get("/api/v1/kb/gaps")
    assert r.status_code == 200, r.text
    gaps = r.json()
    assert gaps[0]["count"] == 3
    assert "数字人民币" in gaps[0]["question"]
    assert gaps[1]["question"] == "你们有实体店吗" and gaps[1]["count"] == 1


async def test_different_questions_stay_separate_candidates(services: Services) -> None:
    async with services.unit_of_work() as uow:
        for n, (q, a) in enumerate(
            [
                ("我想把这个订单退货", "订单页申请退货即可。"),
                ("我想把这个订单退款", "未发货可以直接退款。"),
            ]
        ):
            await service.learn_from_resolution(
                uow.session,
                services.knowledge,
                conversation_id=f"c{n}",
                customer_questions=[q],
                agent_answers=[a],
                language="zh",
                asks_for_person=wants_human,
            )
    async with services.sessions() as session:
        candidates = await service.list_candidates(session)
    assert sorted(c.question for c in candidates) == ["我想把这个订单退款", "我想把这个订单退货"]
    assert all(c.occurrences == 1 for c in candidates)


async def test_candidates_are_clean_no_handoff_request_no_personal_data_no_second_question(
    services: Services,
) -> None:
    async with services.unit_of_work() as uow:
        await service.learn_from_resolution(
            uow.session,
            services.knowledge,
            conversation_id="c_clean",
            customer_questions=[
                "人工客服",  # a request for a person: never a question to learn
                "我要找真人客服",
                "羊绒大衣可以免费改衣长吗？我电话 13812345678",
                "另外你们周日发货吗",  # a different question: not merged as a phrasing
            ],
            agent_answers=["可以免费改一次，我们会打 13812345678 和您确认尺寸。"],
            language="zh",
            asks_for_person=wants_human,
        )
        # A conversation where the customer only asked for a person teaches nothing.
        await service.learn_from_resolution(
            uow.session,
            services.knowledge,
            conversation_id="c_person",
            customer_questions=["转人工", "人工客服在吗"],
            agent_answers=["您好，我是客服小王。"],
            language="zh",
            asks_for_person=wants_human,
        )
    async with services.sessions() as session:
        candidates = await service.list_candidates(session)
    assert len(candidates) == 1
    c = candidates[0]
    assert c.question.startswith("羊绒大衣可以免费改衣长吗？")
    assert "13812345678" not in c.question and "13812345678" not in c.answer
    assert c.alternatives == []
    assert c.conversation_ids == ["c_clean"]


async def test_a_gap_question_added_to_an_entry_is_answered_and_leaves_the_gaps(
    services: Services, lead: httpx.AsyncClient
) -> None:
    question = "寄到新疆要另外加邮费吗"
    async with services.unit_of_work() as uow:
        await service.record_miss(
            uow.session,
            text=question,
            language="zh",
            conversation_id="c_g",
            now=services.clock.now(),
        )
    gaps = (await lead.get("/api/v1/kb/gaps")).json()
    gap = next(g for g in gaps if g["question"] == question)
    assert gap["nearest_entry_id"]
    r = await lead.post(
        "/api/v1/kb/gaps/phrasing",
        json={"entry_id": gap["nearest_entry_id"], "phrasings": [question]},
    )
    assert r.status_code == 200, r.text
    assert question in r.json()["alternatives"]
    found = services.knowledge.search(question, language="zh").answer
    assert found is not None and found.entry_id == gap["nearest_entry_id"]
    assert all(g["question"] != question for g in (await lead.get("/api/v1/kb/gaps")).json())
    r = await lead.post(
        "/api/v1/kb/gaps/phrasing", json={"entry_id": "kb_nope", "phrasings": ["x"]}
    )
    assert r.status_code == 404


async def test_import_preview_and_row_messages_follow_the_page_language(
    services: Services, lead: httpx.AsyncClient
) -> None:
    sheet = "问题,答案,意图\n花瓶可以刻字吗？,可以,engraving\n,没有问题,\n".encode()
    files = {"file": ("faq.csv", sheet, "text/csv")}
    r = await lead.post("/api/v1/kb/import?preview=true", files=files)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["applied"] is False and body["created"] == 1
    assert body["errors"] == [{"row": 3, "reason": "问题为空"}]
    assert "不带意图" in body["warnings"][0]["reason"]
    assert services.knowledge.search("花瓶可以刻字吗？", language="zh").answer is None
    r = await lead.post("/api/v1/kb/import?lang=en&stream=true", files=files)
    assert r.status_code == 200, r.text
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert lines[0] == {"phase": "checking", "done": 1, "total": 1}
    assert lines[-1]["report"]["applied"] is True and lines[-1]["report"]["created"] == 1
    assert lines[-1]["report"]["errors"] == [{"row": 3, "reason": "the question is empty"}]
    found = services.knowledge.search("花瓶可以刻字吗？", language="zh").answer
    assert found is not None and found.intent is None
    r = await lead.post("/api/v1/kb/import", files={"file": ("faq.docx", b"x", "application/x")})
    assert r.status_code == 422 and ".csv、.xlsx" in r.json()["message"]


async def test_approving_a_candidate_a_live_entry_already_answers_is_refused_with_the_entry(
    services: Services, lead: httpx.AsyncClient
) -> None:
    live = services.knowledge.search("包邮吗？", language="zh").answer
    assert live is not None
    async with services.unit_of_work() as uow:
        await service.learn_from_resolution(
            uow.session,
            services.knowledge,
            conversation_id="c_dup",
            customer_questions=["包邮吗？"],
            agent_answers=["满 99 元包邮。"],
            language="zh",
            asks_for_person=wants_human,
        )
    candidate = (await lead.get("/api/v1/kb/candidates")).json()[0]
    r = await lead.post(f"/api/v1/kb/candidates/{candidate['id']}/approve")
    assert r.status_code == 409, r.text
    assert live.entry_id in r.json()["message"] and "合并" in r.json()["message"]
    r = await lead.post(f"/api/v1/kb/candidates/{candidate['id']}/approve?lang=en")
    assert r.status_code == 409 and "merge into it" in r.json()["message"]
    r = await lead.post(
        f"/api/v1/kb/candidates/{candidate['id']}/approve", json={"allow_duplicate": True}
    )
    assert r.status_code == 200, r.text
    assert r.json()["question"] == "包邮吗？"

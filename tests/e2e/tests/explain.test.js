// The console's Explain (issue 10): a join in projects/tickit, written with ref() and a Redshift
// function, shown as a plan tree in the result area — collapsible, with estimated-row bars and
// the step with the most rows marked — in a real browser against a real `kiln serve`.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { sharedServer, shot, typeInConsole } from "./harness.js";

const JOIN = `select 1;

select s.buyer_state, e.event_name, nvl(sum(s.price_paid), 0) as revenue
from {{ ref('fct_sales') }} s
join {{ ref('stg_tickit__events') }} e on e.event_name = s.event_name
group by s.buyer_state, e.event_name`;

describe("Explain in the query console", () => {
  const shared = sharedServer({ before, after }, { build: [] });

  test("Explain on a join shows its plan as a tree", async () => {
    const { page } = shared.studio;
    await typeInConsole(page, JOIN);
    // The cursor ends in the join (the second statement), which is what Explain takes.
    await page.locator('[data-testid="explain"]').click();
    const tree = page.locator('[data-testid="explain-tree"]');
    await tree.waitFor({ timeout: 30_000 });
    await tree.getByText("DuckDB plan · statement at line 3").waitFor();
    assert.equal(await page.getByRole("tab", { name: "Plan" }).getAttribute("aria-selected"), "true");

    const step = (operator) => tree.locator(`[role="treeitem"][data-operator="${operator}"]`);
    await step("HASH_JOIN").first().waitFor();
    assert.ok((await step("HASH_GROUP_BY").count()) >= 1, "the group by is a step");
    const join = step("HASH_JOIN").first();
    assert.match(await join.innerText(), /Conditions: .*event_name = .*event_name/);
    // The tables below the join are named.
    const scans = await step("SEQ_SCAN").allInnerTexts();
    assert.ok(scans.some((text) => /fct_sales/.test(text)), `scans: ${scans.join(" | ")}`);
    assert.ok(scans.some((text) => /tickit_external\."?event"?/.test(text)), `scans: ${scans.join(" | ")}`);
    // The API answers the same tree the page draws.
    const engine = await shared.kiln.api("explainQuery", { sql: JOIN, offset: JOIN.indexOf("join") });
    const operators = [];
    const walk = (node) => {
      operators.push(node.operator);
      node.children.forEach(walk);
    };
    walk(engine.plan.root);
    assert.equal(await tree.locator('[role="treeitem"]').count(), operators.length);
    // DuckDB estimates rows, no cost: one step is marked as having the most.
    assert.equal(await tree.locator(".plan-flag", { hasText: "Most rows" }).count(), 1);
    assert.equal(await tree.getByText("Own cost").count(), 0);
    await shot(page, "explain-tree");

    // Collapsing the join hides its inputs; expanding brings them back.
    const before = await tree.locator('[role="treeitem"]').count();
    await join.getByRole("button", { name: "Collapse" }).click();
    assert.equal(await step("SEQ_SCAN").count(), 0);
    assert.ok((await tree.locator('[role="treeitem"]').count()) < before);
    await join.getByRole("button", { name: "Expand" }).click();
    assert.equal(await tree.locator('[role="treeitem"]').count(), before);

    // A join without a condition: the Cartesian product is flagged, with why, and listed on top.
    await typeInConsole(page, "select count(*)\nfrom {{ ref('fct_sales') }} s, {{ ref('stg_tickit__events') }} e");
    await page.locator('[data-testid="explain"]').click();
    await tree.getByText("DuckDB plan · statement at line 1").waitFor({ timeout: 30_000 });
    const cross = step("CROSS_PRODUCT");
    await cross.waitFor();
    assert.match(await cross.locator(".plan-flag").first().innerText(), /Nested loop/);
    assert.match(await cross.innerText(), /Cartesian product/);
    assert.match(await tree.locator(".explain-attention").innerText(), /CROSS_PRODUCT: Nested loop \/ cross join/);
    await shot(page, "explain-cross-product");

    // A statement that does not compile: the error shows where the result would, at its line.
    await typeInConsole(page, "select 1;\nselect * from {{ ref('no_such_model') }}");
    await page.locator('[data-testid="explain"]').click();
    await page.locator(".result-error").getByText(/no_such_model/).first().waitFor({ timeout: 15_000 });
    assert.equal(await tree.count(), 0);
  });
});

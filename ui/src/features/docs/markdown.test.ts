import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

describe("renderMarkdown", () => {
  it("renders emphasis, lists and links that open safely", () => {
    const html = renderMarkdown("One row per **sale**.\n\n- gross\n- net\n\nSee [the guide](https://docs.example/tickit).");
    expect(html).toContain("<strong>sale</strong>");
    expect(html).toContain("<ul>\n<li>gross</li>");
    expect(html).toContain('<a href="https://docs.example/tickit" target="_blank" rel="noopener noreferrer">the guide</a>');
  });

  it("escapes HTML and refuses script URLs", () => {
    const html = renderMarkdown('<img src=x onerror="alert(1)"> [click](javascript:alert(1))');
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img");
    expect(html).not.toContain('href="javascript:');
  });
});

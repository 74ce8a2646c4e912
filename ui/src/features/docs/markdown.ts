import MarkdownIt from "markdown-it";

// markdown-it with `html: false` escapes any HTML in the source, and its link validator refuses
// javascript:, vbscript:, file: and non-image data: URLs, so a description cannot inject markup.
const md = new MarkdownIt({ html: false, linkify: true, breaks: false });

// Links open outside the studio, without giving the opened page a handle on this window.
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
md.renderer.rules.link_open = (tokens, index, options, env, self) => {
  const token = tokens[index];
  token?.attrSet("target", "_blank");
  token?.attrSet("rel", "noopener noreferrer");
  return defaultLinkOpen(tokens, index, options, env, self);
};

/** A description's Markdown as safe HTML. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}

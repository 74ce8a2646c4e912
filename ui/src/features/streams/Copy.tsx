import { useEffect, useState } from "react";
import { useStudioInstance } from "../../app/useStudio";
import { Icon } from "../../shared/ui";

/** Copies `text`; the icon turns into a tick for a moment and a toast says what was copied. */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const studio = useStudioInstance();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return undefined;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = () => {
    if (!navigator.clipboard) {
      studio.toast("error", "The clipboard is not available here.", "Select the text and copy it with Ctrl+C.");
      return;
    }
    navigator.clipboard
      .writeText(text)
      .then(() => {
        setCopied(true);
        studio.toast("success", `Copied ${what}.`);
      })
      .catch((error: unknown) => studio.reportError("Could not copy to the clipboard", error));
  };

  return (
    <button type="button" className="icon-button" aria-label={`Copy ${what}`} title={`Copy ${what}`} data-testid="copy-button" onClick={copy}>
      <Icon name={copied ? "check" : "copy"} size={14} />
    </button>
  );
}

/** A snippet to copy: a caption bar with the copy button over the code, which scrolls in its own box. */
export function CodeBlock({ code, what, label }: { code: string; what: string; label: string }) {
  return (
    <figure className="streams-code">
      <figcaption>
        <span>{label}</span>
        <CopyButton text={code} what={what} />
      </figcaption>
      <pre tabIndex={0} aria-label={label}>
        {code}
      </pre>
    </figure>
  );
}

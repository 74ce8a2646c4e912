import { useEffect, useState } from "react";
import { useStudio } from "./useStudio";

function systemPrefersDark(): boolean {
  return typeof window !== "undefined" && window.matchMedia?.("(prefers-color-scheme: dark)").matches === true;
}

/** Resolves the theme preference (following the OS for "system") and applies it to <html>. */
export function useTheme(): "light" | "dark" {
  const preference = useStudio((state) => state.theme);
  const [systemDark, setSystemDark] = useState(systemPrefersDark);
  useEffect(() => {
    const query = window.matchMedia?.("(prefers-color-scheme: dark)");
    if (!query) return undefined;
    const onChange = (event: MediaQueryListEvent) => setSystemDark(event.matches);
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, []);
  const resolved = preference === "system" ? (systemDark ? "dark" : "light") : preference;
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
  }, [resolved]);
  return resolved;
}

export function useResolvedTheme(): "light" | "dark" {
  const preference = useStudio((state) => state.theme);
  if (preference !== "system") return preference;
  return systemPrefersDark() ? "dark" : "light";
}

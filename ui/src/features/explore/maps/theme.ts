// The app's theme colours for the maps. Leaflet draws on a canvas, which cannot use CSS variables,
// so they are read from the document and read again when the theme switches.
import { useEffect, useState } from "react";

export type MapTheme = {
  /** The sea: the map's background. */
  water: string;
  /** Land outside the map's region set (neighbouring countries), and under markers. */
  land: string;
  /** A region of the set that no row fills: set apart from the land around it. */
  noData: string;
  /** Country and state borders. */
  border: string;
  /** Borders between filled regions, and marker outlines: the page colour, so shapes separate. */
  halo: string;
  text: string;
  muted: string;
  /** The outline of a hovered region or marker. */
  highlight: string;
  dark: boolean;
};

export function readMapTheme(root: HTMLElement = document.documentElement): MapTheme {
  const style = getComputedStyle(root);
  const dark = root.dataset.theme === "dark";
  const read = (name: string, light: string, darkFallback: string) => style.getPropertyValue(name).trim() || (dark ? darkFallback : light);
  return {
    water: read("--bg-sunken", "#f0f1f3", "#121418"),
    land: read("--bg-elevated", "#ffffff", "#20242b"),
    noData: read("--bg-active", "#e3e7ee", "#2d323c"),
    border: read("--border-strong", "#c9cdd4", "#3c424d"),
    halo: read("--bg", "#ffffff", "#16181d"),
    text: read("--text", "#1c1f24", "#e6e8eb"),
    muted: read("--text-muted", "#5d6470", "#a2a9b4"),
    highlight: read("--text", "#1c1f24", "#e6e8eb"),
    dark,
  };
}

/** The current map theme; a new object whenever <html data-theme> changes. */
export function useMapTheme(): MapTheme {
  const [theme, setTheme] = useState(readMapTheme);
  useEffect(() => {
    const observer = new MutationObserver(() => setTheme(readMapTheme()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "class", "style"] });
    return () => observer.disconnect();
  }, []);
  return theme;
}

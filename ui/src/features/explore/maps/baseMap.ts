// What both maps share: a canvas-rendered Leaflet map with a scale bar, the offline outlines under
// everything, and an optional tile layer that fails quietly.
import * as L from "leaflet";
import type { Shape } from "./shapes";
import type { MapTheme } from "./theme";

/** Markers and hover highlights sit above the region canvas (overlayPane, z-index 400). */
export const MARKER_PANE = "kilnMarkers";
export const HIGHLIGHT_PANE = "kilnHighlight";

export function createMap(container: HTMLElement): L.Map {
  const map = L.map(container, {
    // Canvas, never WebGL (unreliable in WebKitGTK under Xvfb); one canvas for every vector layer.
    preferCanvas: true,
    renderer: L.canvas({ padding: 0.5 }),
    // Quarter zoom steps let a fit use the space instead of falling back a whole level.
    zoomSnap: 0.25,
    zoomDelta: 0.5,
    minZoom: 1,
    maxZoom: 19,
    worldCopyJump: false,
    attributionControl: false,
  });
  map.createPane(MARKER_PANE).style.zIndex = "450";
  map.createPane(HIGHLIGHT_PANE).style.zIndex = "460";
  L.control.scale({ position: "bottomleft", maxWidth: 140 }).addTo(map);
  return map;
}

/**
 * Land outlines (countries, then US states over them). Over tiles only the borders are drawn, so
 * the streets show through; without tiles the land is filled against the water-coloured background.
 */
export function outlineLayer(shapes: readonly Shape[], theme: MapTheme, filled: boolean): L.GeoJSON {
  return L.geoJSON([...shapes], {
    interactive: false,
    style: {
      color: theme.border,
      weight: 0.8,
      opacity: 0.9,
      fill: filled,
      fillColor: theme.land,
      fillOpacity: 1,
    },
  });
}

/** A transparent pixel for tiles that fail, so no broken-image icon is drawn over the outlines. */
const BLANK_TILE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

/**
 * The user's tile layer. Whether any tile arrived is reported once: `onFailed` when the first
 * tiles all error (offline, a wrong URL), `onLoaded` when one loads; the outlines stay either way.
 */
export function tileLayer(url: string, onLoaded: () => void, onFailed: () => void): L.TileLayer {
  const layer = L.tileLayer(url, { maxZoom: 19, errorTileUrl: BLANK_TILE, className: "kiln-map-tiles" });
  let loaded = 0;
  let failed = 0;
  layer.on("tileload", (event: L.TileEvent) => {
    // A failed tile is replaced by the blank one, whose load Leaflet reports as a tileload too.
    if (event.tile.src === BLANK_TILE) return;
    loaded += 1;
    if (loaded === 1) onLoaded();
  });
  layer.on("tileerror", () => {
    failed += 1;
    if (loaded === 0 && failed === 1) onFailed();
  });
  return layer;
}

/** Keeps Leaflet's idea of the container size current when the panel is resized. */
export function followSize(map: L.Map, container: HTMLElement, onFirstSize: () => void): () => void {
  let sized = false;
  const observer = new ResizeObserver(() => {
    map.invalidateSize({ pan: false });
    if (!sized && container.clientWidth > 0 && container.clientHeight > 0) {
      sized = true;
      onFirstSize();
    }
  });
  observer.observe(container);
  return () => observer.disconnect();
}

/** Text content for a tooltip: lines of "name: value", built as DOM so data is never parsed as HTML. */
export function tooltipContent(title: string | null, lines: readonly (readonly [string, string])[]): HTMLElement {
  const root = document.createElement("div");
  root.className = "kiln-map-tooltip";
  if (title !== null) {
    const heading = document.createElement("strong");
    heading.textContent = title;
    root.append(heading);
  }
  for (const [name, value] of lines) {
    const line = document.createElement("div");
    const label = document.createElement("span");
    label.className = "kiln-map-tooltip-name";
    label.textContent = `${name} `;
    line.append(label, value);
    root.append(line);
  }
  return root;
}

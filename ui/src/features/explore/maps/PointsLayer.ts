// Every marker of a point map on one canvas. A Leaflet CircleMarker per point costs an object,
// event wiring and a bounds check per redraw each; at 100,000 markers that is seconds to add and a
// sluggish pan. Here the markers are projected once, drawn in one pass batched by colour, and the
// marker under the mouse is found through a grid of what was drawn.
import * as L from "leaflet";
import { PointGrid, mercatorPixel } from "./geo";

/** What to draw: positions, and per marker its radius and colour class (-1: no value). */
export type MarkerSet = {
  lat: Float64Array;
  lon: Float64Array;
  radius: Float32Array;
  colorClass: Int16Array;
  /** Class colours; class -1 is drawn in `neutral`. */
  colors: readonly string[];
  neutral: string;
  /** The outline around each marker: the page colour, so overlapping markers stay distinct. */
  halo: string;
};

/** The canvas reaches this share of the view beyond each edge, so a pan shows markers already drawn. */
const PADDING = 0.5;

export class PointsLayer extends L.Layer {
  private canvas: HTMLCanvasElement | null = null;
  private markers: MarkerSet | null = null;
  /** Zoom-0 Web Mercator pixels of each marker, and the drawing order (low classes, big first). */
  private projected = new Float64Array(0);
  private order = new Int32Array(0);
  private grid: PointGrid | null = null;
  /** Where the canvas's top-left sits, and at which zoom it was drawn: zoom animations scale from it. */
  private topLeft = L.point(0, 0);
  private anchor = L.latLng(0, 0);
  private drawnZoom = 0;

  setMarkers(markers: MarkerSet): void {
    this.markers = markers;
    const count = markers.lat.length;
    this.projected = new Float64Array(count * 2);
    for (let index = 0; index < count; index += 1) {
      const [x, y] = mercatorPixel(markers.lat[index] ?? 0, markers.lon[index] ?? 0);
      this.projected[index * 2] = x;
      this.projected[index * 2 + 1] = y;
    }
    // Higher classes on top (the values people look for), and within a class small markers over
    // big ones so none hides entirely; one path per class keeps the draw to a few fills.
    const order = Array.from({ length: count }, (_, index) => index);
    order.sort((a, b) => (markers.colorClass[a] ?? 0) - (markers.colorClass[b] ?? 0) || (markers.radius[b] ?? 0) - (markers.radius[a] ?? 0));
    this.order = Int32Array.from(order);
    this.redraw();
  }

  /** The marker index under a container point (the mouse), or null. */
  markerAt(containerPoint: L.Point): number | null {
    if (!this._map || !this.grid) return null;
    const local = this._map.containerPointToLayerPoint(containerPoint).subtract(this.topLeft);
    return this.grid.hit(local.x, local.y);
  }

  override onAdd(map: L.Map): this {
    const pane = this.getPane() ?? map.getPane("overlayPane");
    this.canvas = L.DomUtil.create("canvas", "leaflet-zoom-animated kiln-points-layer", pane);
    map.on("moveend zoomend resize viewreset", this.redraw, this);
    map.on("zoomanim", this.animateZoom, this);
    this.redraw();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off("moveend zoomend resize viewreset", this.redraw, this);
    map.off("zoomanim", this.animateZoom, this);
    this.canvas?.remove();
    this.canvas = null;
    this.grid = null;
    return this;
  }

  /** Scales the last drawing along with the map's zoom animation, as Leaflet's own renderers do. */
  private animateZoom(event: L.LeafletEvent): void {
    const map = this._map;
    const canvas = this.canvas;
    if (!map || !canvas) return;
    const { center, zoom } = event as L.ZoomAnimEvent;
    const panePosition = L.DomUtil.getPosition(map.getPane("mapPane") ?? canvas) ?? L.point(0, 0);
    const origin = map.project(center, zoom).subtract(map.getSize().divideBy(2)).add(panePosition).round();
    const offset = map.project(this.anchor, zoom).subtract(origin);
    L.DomUtil.setTransform(canvas, offset, map.getZoomScale(zoom, this.drawnZoom));
  }

  redraw(): void {
    const map = this._map;
    const canvas = this.canvas;
    const markers = this.markers;
    if (!map || !canvas || !markers) return;
    const size = map.getSize();
    const width = Math.round(size.x * (1 + 2 * PADDING));
    const height = Math.round(size.y * (1 + 2 * PADDING));
    const ratio = window.devicePixelRatio || 1;
    this.topLeft = map.containerPointToLayerPoint([-size.x * PADDING, -size.y * PADDING]).round();
    this.anchor = map.layerPointToLatLng(this.topLeft);
    this.drawnZoom = map.getZoom();
    L.DomUtil.setPosition(canvas, this.topLeft);
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const context = canvas.getContext("2d");
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);

    // Canvas pixel = zoom-0 pixel × 2^zoom − (the map's pixel origin + the canvas's layer offset).
    const scale = map.getZoomScale(this.drawnZoom, 0);
    const origin = map.getPixelOrigin().add(this.topLeft);
    let largest = 0;
    for (const radius of markers.radius) largest = Math.max(largest, radius);
    const grid = new PointGrid(width, height, Math.max(16, Math.ceil(largest + 4)), 2);
    context.lineWidth = 1;
    context.strokeStyle = markers.halo;
    context.globalAlpha = 0.85;
    let batch: number | null = null;
    const flush = () => {
      if (batch === null) return;
      context.fillStyle = batch < 0 ? markers.neutral : (markers.colors[batch] ?? markers.neutral);
      context.fill();
      context.stroke();
    };
    for (const index of this.order) {
      const x = (this.projected[index * 2] ?? 0) * scale - origin.x;
      const y = (this.projected[index * 2 + 1] ?? 0) * scale - origin.y;
      const radius = markers.radius[index] ?? 4;
      if (x < -radius || y < -radius || x > width + radius || y > height + radius) continue;
      const colorClass = markers.colorClass[index] ?? -1;
      if (colorClass !== batch) {
        flush();
        batch = colorClass;
        context.beginPath();
      }
      context.moveTo(x + radius, y);
      context.arc(x, y, radius, 0, Math.PI * 2);
      grid.add(index, x, y, radius);
    }
    flush();
    this.grid = grid;
  }
}

// Every marker of a point map on one canvas. A Leaflet CircleMarker per point costs an object,
// event wiring and a bounds check per redraw each; at 100,000 markers that is seconds to add and a
// sluggish pan. Here the markers are projected once, drawn in one loop on one canvas (redrawn when
// a pan or zoom ends; the drawing moves and scales with the map in between), and the marker under
// the mouse is found through a grid of what was drawn.
import * as L from "leaflet";
import { PointGrid, mercatorPixel } from "./geo";
import { rgbOf, splat } from "./splat";

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
  /**
   * Thousands of markers: drawn without outlines (which would cover the markers themselves) and
   * in row order, so where they crowd the colours mix as the data does.
   */
  dense: boolean;
};

/** The canvas reaches this share of the view beyond each edge, so a pan shows markers already drawn. */
const PADDING = 0.25;

export class PointsLayer extends L.Layer {
  private canvas: HTMLCanvasElement | null = null;
  private markers: MarkerSet | null = null;
  /** Zoom-0 Web Mercator pixels of each marker, and the drawing order. */
  private projected = new Float64Array(0);
  private order = new Int32Array(0);
  /** Where each drawn marker landed on the canvas; the hit grid is built from it on first use. */
  private screen = { x: new Float32Array(0), y: new Float32Array(0), id: new Int32Array(0), count: 0 };
  private canvasSize: [number, number] = [0, 0];
  private grid: PointGrid | null = null;

  /** Where the canvas's top-left sits, and at which zoom it was drawn: zoom animations scale from it. */
  private topLeft = L.point(0, 0);
  private anchor = L.latLng(0, 0);
  private drawnZoom = 0;

  constructor(options?: L.LayerOptions) {
    super(options);
    // L.Layer keeps no options of its own (Leaflet's subclasses call setOptions); without this
    // `pane` is ignored and the canvas lands in the overlay pane, under the land outlines.
    L.setOptions(this, options);
  }

  setMarkers(markers: MarkerSet): void {
    this.markers = markers;
    const count = markers.lat.length;
    this.projected = new Float64Array(count * 2);
    for (let index = 0; index < count; index += 1) {
      const [x, y] = mercatorPixel(markers.lat[index] ?? 0, markers.lon[index] ?? 0);
      this.projected[index * 2] = x;
      this.projected[index * 2 + 1] = y;
    }
    // Big markers under small ones so none hides entirely, unless they are too many to tell apart.
    const order = Array.from({ length: count }, (_, index) => index);
    if (!markers.dense) order.sort((a, b) => (markers.radius[b] ?? 0) - (markers.radius[a] ?? 0) || a - b);
    this.order = Int32Array.from(order);
    this.redraw();
  }

  /** The marker index under a container point (the mouse), or null. */
  markerAt(containerPoint: L.Point): number | null {
    if (!this._map || !this.markers) return null;
    this.grid ??= this.buildGrid(this.markers);
    const local = this._map.containerPointToLayerPoint(containerPoint).subtract(this.topLeft);
    return this.grid.hit(local.x, local.y);
  }

  /** Built on the first hover after a redraw, so a pan that ends without one never pays for it. */
  private buildGrid(markers: MarkerSet): PointGrid {
    let largest = 0;
    for (const radius of markers.radius) largest = Math.max(largest, radius);
    const [width, height] = this.canvasSize;
    const grid = new PointGrid(width, height, Math.max(16, Math.ceil(largest + 4)), 2);
    const { x, y, id, count } = this.screen;
    for (let at = 0; at < count; at += 1) {
      const index = id[at] ?? 0;
      grid.add(index, x[at] ?? 0, y[at] ?? 0, markers.radius[index] ?? 4);
    }
    return grid;
  }

  override onAdd(map: L.Map): this {
    const pane = this.getPane() ?? map.getPane("overlayPane");
    this.canvas = L.DomUtil.create("canvas", "leaflet-zoom-animated kiln-points-layer", pane);
    // moveend also ends every zoom, resize and view reset: one redraw each, not two.
    map.on("moveend", this.redraw, this);
    map.on("zoomanim", this.animateZoom, this);
    this.redraw();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off("moveend", this.redraw, this);
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
    context.clearRect(0, 0, canvas.width, canvas.height);
    if (markers.dense) {
      this.drawDense(context, markers, map, [width, height], ratio);
      return;
    }

    // Canvas pixel = zoom-0 pixel × 2^zoom − (the map's pixel origin + the canvas's layer offset).
    const scale = map.getZoomScale(this.drawnZoom, 0);
    const origin = map.getPixelOrigin().add(this.topLeft);
    const screen = { x: new Float32Array(this.order.length), y: new Float32Array(this.order.length), id: new Int32Array(this.order.length), count: 0 };
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.lineWidth = 1;
    context.strokeStyle = markers.halo;
    context.globalAlpha = markers.dense ? 0.7 : 0.85;
    let fillClass: number | null = null;
    for (const index of this.order) {
      const x = (this.projected[index * 2] ?? 0) * scale - origin.x;
      const y = (this.projected[index * 2 + 1] ?? 0) * scale - origin.y;
      const radius = markers.radius[index] ?? 4;
      if (x < -radius || y < -radius || x > width + radius || y > height + radius) continue;
      // Setting the same fill again costs a colour parse: only set it when it changes.
      const colorClass = markers.colorClass[index] ?? -1;
      if (colorClass !== fillClass) {
        fillClass = colorClass;
        context.fillStyle = colorClass < 0 ? markers.neutral : (markers.colors[colorClass] ?? markers.neutral);
      }
      // One small path per marker: without a GPU (WebKitGTK, headless Chromium) this rasterised in
      // about half the time of one path holding every marker of a colour, and faster than copying
      // a pre-drawn bitmap per marker (100,000 markers, headless Chromium, --disable-gpu).
      context.beginPath();
      context.arc(x, y, radius, 0, Math.PI * 2);
      context.fill();
      if (!markers.dense) context.stroke();
      screen.x[screen.count] = x;
      screen.y[screen.count] = y;
      screen.id[screen.count] = index;
      screen.count += 1;
    }
    this.screen = screen;
    this.canvasSize = [width, height];
    this.grid = null;
  }

  /** Thousands of markers: stamped into the canvas's pixels (see `splat`), in row order. */
  private drawDense(context: CanvasRenderingContext2D, markers: MarkerSet, map: L.Map, [width, height]: [number, number], ratio: number): void {
    const scale = map.getZoomScale(this.drawnZoom, 0);
    const origin = map.getPixelOrigin().add(this.topLeft);
    const total = this.order.length;
    const screen = { x: new Float32Array(total), y: new Float32Array(total), id: new Int32Array(total), count: 0 };
    const device = { x: new Float32Array(total), y: new Float32Array(total), radius: new Float32Array(total), color: new Int32Array(total) };
    const neutral = markers.colors.length;
    for (const index of this.order) {
      const x = (this.projected[index * 2] ?? 0) * scale - origin.x;
      const y = (this.projected[index * 2 + 1] ?? 0) * scale - origin.y;
      const radius = markers.radius[index] ?? 4;
      if (x < -radius || y < -radius || x > width + radius || y > height + radius) continue;
      const at = screen.count;
      screen.x[at] = x;
      screen.y[at] = y;
      screen.id[at] = index;
      device.x[at] = x * ratio;
      device.y[at] = y * ratio;
      device.radius[at] = radius * ratio;
      const colorClass = markers.colorClass[index] ?? -1;
      device.color[at] = colorClass < 0 ? neutral : colorClass;
      screen.count += 1;
    }
    const image = context.createImageData(context.canvas.width, context.canvas.height);
    splat(image.data, image.width, image.height, {
      ...device,
      count: screen.count,
      colors: [...markers.colors.map(rgbOf), rgbOf(markers.neutral)],
      alpha: 0.7,
    });
    context.putImageData(image, 0, 0);
    this.screen = screen;
    this.canvasSize = [width, height];
    this.grid = null;
  }
}

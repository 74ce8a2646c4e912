// The model canvas: a model edited as steps (see CanvasView). The shell opens it as a tab.
export { CanvasView } from "./CanvasView";
export { CanvasLauncher } from "./CanvasLauncher";
export { canvasDirty, useCanvasDirty } from "./registry";

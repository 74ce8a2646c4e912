import { useCallback, useEffect, useState } from "react";

/** The side and bottom panels' sizes, remembered across reloads. */
export interface PanelLayout {
  sidebarWidth: number;
  sidebarCollapsed: boolean;
  bottomHeight: number;
}

export const LAYOUT_KEY = "kiln.layout.v1";
export const SIDEBAR_LIMITS = { min: 160, max: 640, initial: 264 } as const;
export const BOTTOM_LIMITS = { min: 120, max: 900, initial: 300 } as const;

const DEFAULT_LAYOUT: PanelLayout = { sidebarWidth: SIDEBAR_LIMITS.initial, sidebarCollapsed: false, bottomHeight: BOTTOM_LIMITS.initial };

export function clamp(value: number, min: number, max: number): number {
  return Math.round(Math.min(max, Math.max(min, value)));
}

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function readLayout(storage: StorageLike | null): PanelLayout {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(LAYOUT_KEY) ?? "null");
    if (!parsed || typeof parsed !== "object") return DEFAULT_LAYOUT;
    const record = parsed as Record<string, unknown>;
    const number = (value: unknown, fallback: number) => (typeof value === "number" && Number.isFinite(value) ? value : fallback);
    return {
      sidebarWidth: clamp(number(record.sidebarWidth, SIDEBAR_LIMITS.initial), SIDEBAR_LIMITS.min, SIDEBAR_LIMITS.max),
      sidebarCollapsed: record.sidebarCollapsed === true,
      bottomHeight: clamp(number(record.bottomHeight, BOTTOM_LIMITS.initial), BOTTOM_LIMITS.min, BOTTOM_LIMITS.max),
    };
  } catch {
    // A corrupt entry only costs the remembered sizes.
    return DEFAULT_LAYOUT;
  }
}

function browserStorage(): StorageLike | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

/** The layout, and a setter that remembers it. */
export function usePanelLayout(): [PanelLayout, (patch: Partial<PanelLayout>) => void] {
  const [layout, setLayout] = useState(() => readLayout(browserStorage()));
  useEffect(() => {
    try {
      browserStorage()?.setItem(LAYOUT_KEY, JSON.stringify(layout));
    } catch (error) {
      console.warn("Could not remember the panel sizes", error);
    }
  }, [layout]);
  const update = useCallback((patch: Partial<PanelLayout>) => setLayout((current) => ({ ...current, ...patch })), []);
  return [layout, update];
}

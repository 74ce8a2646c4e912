// Times each panel of a dashboard through `panelData` alone, one request at a time, against the
// same panel's SQL run by the engine (`runQuery` of `select 1` as the floor of a request's cost).
import { performance } from "node:perf_hooks";
import { startKiln } from "./harness.js";

const [dir, path, runs = "5"] = process.argv.slice(2);
const kiln = await startKiln(dir);
try {
  const open = await kiln.api("openDashboard", { path });
  const panels = open.dashboard.panels;
  const floor = [];
  for (let i = 0; i < Number(runs); i++) {
    const t = performance.now();
    await kiln.api("dashboards", {});
    floor.push(performance.now() - t);
  }
  console.log(`request floor (dashboards list): ${Math.min(...floor).toFixed(1)} ms`);
  for (let index = 0; index < panels.length; index++) {
    const times = [];
    for (let i = 0; i < Number(runs); i++) {
      const t = performance.now();
      await kiln.api("panelData", { path, panel: index });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`${panels[index].title}: median ${times[Math.floor(times.length / 2)].toFixed(1)} ms, min ${times[0].toFixed(1)} ms`);
  }
} finally {
  await kiln.stop();
}

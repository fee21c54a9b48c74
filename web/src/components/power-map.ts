import * as echarts from "echarts/core";
import { GraphChart } from "echarts/charts";
import { LegendComponent, TooltipComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

import type { Contact, Relationship } from "../wasm/dealflow_wasm.js";

echarts.use([GraphChart, TooltipComponent, LegendComponent, SVGRenderer]);

/** Colours of the three stances, themable from the host element's custom properties. */
export interface StanceColours {
  supporter: string;
  neutral: string;
  opponent: string;
}

const SIZES = { low: 34, medium: 48, high: 64 } as const;

/**
 * The decision chain as an ECharts force graph: contacts are nodes coloured by stance and sized
 * by influence; edges are reports-to (solid arrows) and influences (dashed arrows).
 */
export function powerMapOption(
  contacts: Contact[],
  relationships: Relationship[],
  labels: {
    stance: Record<Contact["stance"], string>;
    kind: Record<Relationship["kind"], string>;
    role: Record<Contact["role"], string>;
  },
  colours: StanceColours,
): echarts.EChartsCoreOption {
  const known = new Set(contacts.map((contact) => contact.id));
  const stances = ["supporter", "neutral", "opponent"] as const;
  return {
    animation: false,
    tooltip: {},
    legend: {
      data: stances.map((stance) => labels.stance[stance]),
      bottom: 0,
    },
    series: [
      {
        type: "graph",
        layout: "force",
        roam: true,
        draggable: true,
        // Long enough edges that their labels clear the nodes.
        force: { repulsion: 420, edgeLength: 170, gravity: 0.06 },
        categories: stances.map((stance) => ({
          name: labels.stance[stance],
          itemStyle: { color: colours[stance] },
        })),
        label: { show: true, position: "bottom", fontSize: 12 },
        edgeSymbol: ["none", "arrow"],
        edgeLabel: {
          show: true,
          fontSize: 10,
          formatter: "{c}",
          backgroundColor: "rgba(255, 255, 255, 0.85)",
          padding: [1, 2],
        },
        data: contacts.map((contact) => ({
          id: contact.id,
          name: contact.name,
          value: `${contact.title ?? ""} · ${labels.role[contact.role]}`,
          category: stances.indexOf(contact.stance),
          symbolSize: SIZES[contact.influence],
        })),
        links: relationships
          .filter((edge) => known.has(edge.from) && known.has(edge.to))
          .map((edge) => ({
            source: edge.from,
            target: edge.to,
            value: labels.kind[edge.kind],
            lineStyle: {
              type: edge.kind === "influences" ? "dashed" : "solid",
              width: 1.5,
              color: "#8f959e",
            },
          })),
      },
    ],
  };
}

export { echarts };

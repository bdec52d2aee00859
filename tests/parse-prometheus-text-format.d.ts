declare module "parse-prometheus-text-format" {
  interface Family {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    /** Samples; their shape depends on the type (labels and value, or buckets, count and sum). */
    metrics: any[];
  }
  export default function parse(text: string): Family[];
}

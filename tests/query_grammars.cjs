// Parses LogQL and TraceQL queries with Grafana's own grammars (the Lezer parsers its query
// editors use). Input on stdin: [{"language": "logql" | "traceql", "query": "..."}].
// Output: one line per query, the offsets of its parse errors ([] when it parses).
const { parser: logql } = require("@grafana/lezer-logql");
const { parser: traceql } = require("@grafana/lezer-traceql");

const parsers = { logql, traceql };
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  for (const { language, query } of JSON.parse(input)) {
    const errors = [];
    parsers[language].parse(query).iterate({
      enter: (node) => {
        if (node.type.isError) errors.push(node.from);
      },
    });
    console.log(JSON.stringify(errors));
  }
});

// Parses LogQL and TraceQL with Grafana's own Lezer grammars (the ones its query editors use).
// stdin: [{"language": "logql" | "traceql", "query": "..."}]; stdout: the queries that do not
// parse, with the offset of the first error node.
const { parser: logql } = require("@grafana/lezer-logql");
const { parser: traceql } = require("@grafana/lezer-traceql");

const parsers = { logql, traceql };
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const problems = [];
  for (const { language, query } of JSON.parse(input)) {
    let at = null;
    parsers[language].parse(query).iterate({
      enter(node) {
        if (at === null && node.type.isError) at = node.from;
        return at === null;
      },
    });
    if (at !== null) problems.push({ language, query, at });
  }
  process.stdout.write(JSON.stringify(problems));
});

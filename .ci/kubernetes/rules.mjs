// Rules of this project's manifests that the OpenAPI schema cannot see, checked on a rendered overlay:
// - a workload that a HorizontalPodAutoscaler scales has no spec.replicas (else every `kubectl apply` sets the
//   count back; issue 21 item 11);
// - the Service a StatefulSet names as its serviceName exists and is headless (clusterIP: None), which gives its
//   pods their stable DNS names (issue 21 item 22).
//   node rules.mjs RENDERED.yaml   prints one line per rule checked; exits 1 if any is broken
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const objects = parseAllDocuments(readFileSync(process.argv[2], "utf8"))
  .map((doc) => doc.toJS())
  .filter(Boolean);
const named = (kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
let broken = 0;
const check = (good, message) => {
  console.log(`${good ? "ok" : "BROKEN"} ${message}`);
  if (!good) broken++;
};

for (const hpa of objects.filter((o) => o.kind === "HorizontalPodAutoscaler")) {
  const { kind, name } = hpa.spec.scaleTargetRef;
  const target = named(kind, name);
  check(target !== undefined, `HPA ${hpa.metadata.name} scales ${kind}/${name}, which the overlay has`);
  if (target) {
    check(!("replicas" in target.spec), `${kind}/${name} (scaled by HPA ${hpa.metadata.name}) sets no spec.replicas`
      + ("replicas" in target.spec ? ` (it sets ${target.spec.replicas})` : ""));
  }
}
for (const set of objects.filter((o) => o.kind === "StatefulSet")) {
  const service = named("Service", set.spec.serviceName);
  check(service?.spec?.clusterIP === "None",
    `StatefulSet ${set.metadata.name}'s serviceName ${set.spec.serviceName} is a headless Service`
      + (service ? ` (clusterIP: ${service.spec.clusterIP ?? "unset"})` : " (no such Service)"));
}
process.exit(broken === 0 ? 0 : 1);

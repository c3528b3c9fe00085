// Turns a rendered overlay into what podman 4.3's `kube play` runs, keeping every pod spec as it is:
// - a StatefulSet becomes what its controller would create: Pod <name>-0 (template labels and spec, plus the
//   hostname, subdomain and claim volumes the controller adds) and its PersistentVolumeClaims <claim>-<name>-0;
//   podman ignores StatefulSets;
// - a Deployment keeps its pod template, with replicas 1: podman publishes each container port on the
//   network namespace, so a second replica could not bind it;
// - Services, PodDisruptionBudgets, HorizontalPodAutoscalers and NetworkPolicies are left out (podman does
//   not run them); each Service that selects a pod is named as a DNS alias of that pod instead.
//   node for-podman.mjs OUTDIR RENDERED.yaml...
// writes OUTDIR/0-shared.yaml (Secrets, ConfigMaps, claims) and OUTDIR/<n>-<workload>.yaml, and prints
// "play FILE ALIASES" lines in order, then "left-out KIND/NAME" lines.
import { readFileSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { parseAllDocuments, stringify } from "yaml";

const [outdir, ...inputs] = process.argv.slice(2);
const objects = inputs
  .flatMap((input) => parseAllDocuments(readFileSync(input, "utf8")))
  .map((doc) => doc.toJS())
  .filter(Boolean);
const clone = (value) => structuredClone(value);
const fail = (message) => {
  console.error(`for-podman: ${message}`);
  process.exit(1);
};

const shared = [];
const workloads = []; // [name, objects to play, pod labels]
const services = [];
const leftOut = [];
for (const object of objects) {
  const { kind, metadata } = object;
  if (["Secret", "ConfigMap", "PersistentVolumeClaim"].includes(kind)) {
    shared.push(object);
  } else if (kind === "Deployment") {
    const deployment = clone(object);
    deployment.spec.replicas = 1;
    if (!isDeepStrictEqual(deployment.spec.template, object.spec.template)) fail(`${metadata.name}: pod template changed`);
    workloads.push([metadata.name, [deployment], object.spec.template.metadata.labels]);
  } else if (kind === "StatefulSet") {
    const { spec } = object;
    if ((spec.replicas ?? 1) !== 1) fail(`StatefulSet ${metadata.name}: ${spec.replicas} replicas; only 1 runs here`);
    const podName = `${metadata.name}-0`;
    const claims = (spec.volumeClaimTemplates ?? []).map((template) => ({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: `${template.metadata.name}-${podName}`, labels: spec.template.metadata.labels },
      spec: template.spec,
    }));
    const podSpec = clone(spec.template.spec);
    podSpec.hostname = podName;
    if (spec.serviceName) podSpec.subdomain = spec.serviceName;
    podSpec.volumes = [
      ...(podSpec.volumes ?? []),
      ...claims.map((claim, i) => ({
        name: spec.volumeClaimTemplates[i].metadata.name,
        persistentVolumeClaim: { claimName: claim.metadata.name },
      })),
    ];
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: podName,
        labels: { ...spec.template.metadata.labels, "statefulset.kubernetes.io/pod-name": podName },
      },
      spec: podSpec,
    };
    // The template's spec, untouched, is all of the pod's spec but for what the controller adds.
    const { hostname, subdomain, volumes, ...rest } = podSpec;
    const { volumes: templateVolumes, ...templateRest } = spec.template.spec;
    if (!isDeepStrictEqual(rest, templateRest) || !isDeepStrictEqual(volumes.slice(0, (templateVolumes ?? []).length), templateVolumes ?? [])) {
      fail(`StatefulSet ${metadata.name}: pod spec changed`);
    }
    shared.push(...claims);
    workloads.push([podName, [pod], spec.template.metadata.labels]);
  } else {
    if (kind === "Service") services.push(object);
    leftOut.push(`${kind}/${metadata.name}`);
  }
}

const selects = (selector, labels) =>
  selector !== undefined && Object.entries(selector).every(([key, value]) => labels?.[key] === value);
const write = (file, docs) => writeFileSync(`${outdir}/${file}`, docs.map((doc) => stringify(doc)).join("---\n"));
write("0-shared.yaml", shared);
console.log(`play 0-shared.yaml -`);
workloads.forEach(([name, docs, labels], i) => {
  const file = `${i + 1}-${name}.yaml`;
  write(file, docs);
  const aliases = services.filter((service) => selects(service.spec.selector, labels)).map((service) => service.metadata.name);
  console.log(`play ${file} ${aliases.join(",") || "-"}`);
});
for (const name of leftOut) console.log(`left-out ${name}`);

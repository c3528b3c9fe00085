// Validates the prometheus-operator objects in the given YAML files against the operator's CRD schemas, as shipped
// in @kubernetes-models/prometheus-operator; any other apiVersion or kind is an error, never a pass.
//   node validate.mjs FILE...   prints one line per object; exits 1 if any is invalid
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

async function modelOf(apiVersion, kind) {
  if (!apiVersion.startsWith("monitoring.coreos.com/")) return undefined;
  try {
    const module = await import(`@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`);
    return module[kind];
  } catch {
    return undefined;
  }
}

let invalid = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length > 0) {
      console.log(`INVALID ${file}: not YAML: ${doc.errors[0].message}`);
      invalid++;
      continue;
    }
    const object = doc.toJS();
    if (object === null) continue;
    const name = `${object.kind}/${object.metadata?.name} (${object.apiVersion})`;
    const Model = object.apiVersion && object.kind ? await modelOf(object.apiVersion, object.kind) : undefined;
    if (Model === undefined) {
      console.log(`INVALID ${name}: no prometheus-operator schema for this apiVersion and kind`);
      invalid++;
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`valid ${name}`);
    } catch (error) {
      console.log(`INVALID ${name}: ${error.message}`);
      invalid++;
    }
  }
}
process.exit(invalid > 0 ? 1 : 0);

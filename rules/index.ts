// The rule set: an explicit, sorted list (the metadata test checks the order and that every rule file is listed).
import type { Rule } from "../src/core/define-rule.js";
import FLASK_CONFIG_001 from "./FLASK-CONFIG-001.js";
import FLASK_DEPLOY_002 from "./FLASK-DEPLOY-002.js";
import FLASK_INJECT_001 from "./FLASK-INJECT-001.js";
import FLASK_INJECT_002 from "./FLASK-INJECT-002.js";
import FLASK_SSTI_001 from "./FLASK-SSTI-001.js";

export const allRules: Rule[] = [
  FLASK_CONFIG_001,
  FLASK_DEPLOY_002,
  FLASK_INJECT_001,
  FLASK_INJECT_002,
  FLASK_SSTI_001,
];

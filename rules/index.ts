// The rule set: an explicit, sorted list (the metadata test checks the order and that every rule file is listed).
import type { Rule } from "../src/core/define-rule.js";
import FLASK_CONFIG_001 from "./FLASK-CONFIG-001.js";
import FLASK_CORS_001 from "./FLASK-CORS-001.js";
import FLASK_CSRF_001 from "./FLASK-CSRF-001.js";
import FLASK_DEPLOY_001 from "./FLASK-DEPLOY-001.js";
import FLASK_DEPLOY_002 from "./FLASK-DEPLOY-002.js";
import FLASK_HEADERS_001 from "./FLASK-HEADERS-001.js";
import FLASK_HOST_001 from "./FLASK-HOST-001.js";
import FLASK_HTTP_001 from "./FLASK-HTTP-001.js";
import FLASK_INJECT_001 from "./FLASK-INJECT-001.js";
import FLASK_INJECT_002 from "./FLASK-INJECT-002.js";
import FLASK_LIMITS_001 from "./FLASK-LIMITS-001.js";
import FLASK_PATH_001 from "./FLASK-PATH-001.js";
import FLASK_PROXY_001 from "./FLASK-PROXY-001.js";
import FLASK_REDIRECT_001 from "./FLASK-REDIRECT-001.js";
import FLASK_SESS_001 from "./FLASK-SESS-001.js";
import FLASK_SESS_002 from "./FLASK-SESS-002.js";
import FLASK_SSRF_001 from "./FLASK-SSRF-001.js";
import FLASK_SSTI_001 from "./FLASK-SSTI-001.js";
import FLASK_SUPPLY_001 from "./FLASK-SUPPLY-001.js";
import FLASK_UPLOAD_001 from "./FLASK-UPLOAD-001.js";
import FLASK_XSS_001 from "./FLASK-XSS-001.js";

export const allRules: Rule[] = [
  FLASK_CONFIG_001,
  FLASK_CORS_001,
  FLASK_CSRF_001,
  FLASK_DEPLOY_001,
  FLASK_DEPLOY_002,
  FLASK_HEADERS_001,
  FLASK_HOST_001,
  FLASK_HTTP_001,
  FLASK_INJECT_001,
  FLASK_INJECT_002,
  FLASK_LIMITS_001,
  FLASK_PATH_001,
  FLASK_PROXY_001,
  FLASK_REDIRECT_001,
  FLASK_SESS_001,
  FLASK_SESS_002,
  FLASK_SSRF_001,
  FLASK_SSTI_001,
  FLASK_SUPPLY_001,
  FLASK_UPLOAD_001,
  FLASK_XSS_001,
];

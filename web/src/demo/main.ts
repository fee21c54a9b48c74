import "../components/index.js";
import "../components/dealflow-summary.js";
import "./app.js";

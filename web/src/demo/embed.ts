import "../components/dealflow-summary.js";

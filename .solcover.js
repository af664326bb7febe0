module.exports = {
  skipFiles: ["mocks/", "governance/", "utils/"],
  istanbulReporter: ["text-summary", "json-summary", "html"],
  mocha: { timeout: 600000 },
};

module.exports = {
  skipFiles: ["mocks/", "governance/"],
  istanbulReporter: ["text-summary", "json-summary", "html"],
  mocha: { timeout: 600000 },
};

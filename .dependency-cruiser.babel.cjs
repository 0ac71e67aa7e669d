// Babel options for dependency-cruiser's reading of the web's .tsx (see .dependency-cruiser.web.cjs).
// The preset is resolved from here, so a cruise started in another folder finds it too.
module.exports = {
  presets: [[require.resolve('@babel/preset-typescript'), { isTSX: true, allExtensions: true }]],
};

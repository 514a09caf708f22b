/** SVG files imported from code arrive as their source text (@jupyter/builder's rule). */
declare module '*.svg' {
  const source: string;
  export default source;
}

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A font pdfkit can embed: a file, and for a collection (.ttc) the PostScript name inside it. */
export interface PdfFont {
  file: string;
  family?: string;
  /** false: no CJK font was found, Chinese cannot be drawn (the document says so). */
  cjk: boolean;
}

/**
 * Debian's CJK fonts, most compact first: fonts-wqy-zenhei (what `npm test` installs as root),
 * fonts-wqy-microhei, fonts-noto-cjk, fonts-arphic-uming, fonts-droid-fallback.
 */
const KNOWN: readonly { file: string; family?: string }[] = [
  { file: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', family: 'WenQuanYiZenHei' },
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { file: '/usr/share/fonts/truetype/arphic/uming.ttc', family: 'AR-PL-UMing-CN' },
  { file: '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf' },
];

/** Any other font fontconfig says covers Simplified Chinese (regular, not monospaced, first). */
function fromFontconfig(): { file: string; family?: string } | undefined {
  try {
    const out = execFileSync('fc-list', ['-f', '%{file}|%{postscriptname}|%{style}\n', ':lang=zh-cn'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const fonts = out
      .split('\n')
      .map((l) => l.split('|'))
      .filter(([file]) => file && /\.(ttf|ttc|otf)$/i.test(file))
      .map(([file, family, style]) => ({ file: file!, family: family || undefined, style: style ?? '' }));
    const rank = (f: { family?: string; style: string }) =>
      (/mono/i.test(f.family ?? '') ? 2 : 0) + (/regular|book|medium/i.test(f.style) ? 0 : 1);
    const best = fonts.sort((a, b) => rank(a) - rank(b))[0];
    return best ? { file: best.file, family: best.family } : undefined;
  } catch {
    return undefined; // no fontconfig on this machine
  }
}

let found: PdfFont | undefined;

/**
 * The font for PDFs with Chinese text. `configured` (PDF_FONT: `path` or `path#PostScriptName`)
 * wins; otherwise the first known Debian CJK font, then fontconfig. Without any, PDFs fall back
 * to Helvetica, which has no Chinese glyphs: the caller marks the document (and says how to fix
 * it) instead of printing boxes silently. Looked up once per process.
 */
export function pdfFont(configured = ''): PdfFont {
  if (configured) {
    const [file = '', family] = configured.split('#');
    // A configured font that is not there is ignored (the search below runs), not a 500 per PDF.
    if (existsSync(file)) return { file, family: family || undefined, cjk: true };
  }
  if (found) return found;
  const hit = KNOWN.find((f) => existsSync(f.file)) ?? fromFontconfig();
  found = hit ? { ...hit, cjk: true } : { file: 'Helvetica', cjk: false };
  return found;
}

/** What to install when no CJK font is there, in the words the fallback PDF prints. */
export const CJK_FONT_HINT =
  'No Chinese font on the server: apt-get install fonts-wqy-zenhei (or set PDF_FONT).';

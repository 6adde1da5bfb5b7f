// A tiny built-in 5×7 bitmap font for the labels under printed QR codes (`qr download --label`), so a PNG
// label needs no font file or canvas package. Printable ASCII and the Nordic letters; an accented letter is
// drawn as its base letter (é → e), anything else as '?'.
//
// Each glyph is five columns, left to right; bit 0 of a column is the top row of seven (the classic
// HD44780-style table).
// prettier-ignore
const ASCII: readonly string[] = [
  '0000000000', '00005f0000', '0007000700', '147f147f14', '242a7f2a12', '2313086462', '3649552250', '0005030000', // space ! " # $ % & '
  '001c224100', '0041221c00', '082a1c2a08', '08083e0808', '0050300000', '0808080808', '0060600000', '2010080402', // ( ) * + , - . /
  '3e5149453e', '00427f4000', '4261514946', '2141454b31', '1814127f10', '2745454539', '3c4a494930', '0171090503', // 0-7
  '3649494936', '064949291e', '0036360000', '0056360000', '0814224100', '1414141414', '0041221408', '0201510906', // 8 9 : ; < = > ?
  '324979413e', '7e1111117e', '7f49494936', '3e41414122', '7f4141221c', '7f49494941', '7f09090101', '3e41415132', // @ A-G
  '7f0808087f', '00417f4100', '2040413f01', '7f08142241', '7f40404040', '7f0204027f', '7f0408107f', '3e4141413e', // H-O
  '7f09090906', '3e4151215e', '7f09192946', '4649494931', '01017f0101', '3f4040403f', '1f2040201f', '7f2018207f', // P-W
  '6314081463', '0304780403', '6151494543', '007f414100', '0204081020', '0041417f00', '0402010204', '4040404040', // X Y Z [ \ ] ^ _
  '0001020400', '2054545478', '7f48444438', '3844444420', '384444487f', '3854545418', '087e090102', '081454543c', // ` a-g
  '7f08040478', '00447d4000', '2040443d00', '007f102844', '00417f4000', '7c04180478', '7c08040478', '3844444438', // h-o
  '7c14141408', '081414187c', '7c08040408', '4854545420', '043f444020', '3c4040207c', '1c2040201c', '3c4030403c', // p-w
  '4428102844', '0c5050503c', '4464544c44', '0008364100', '00007f0000', '0041360800', '0201020402', // x y z { | } ~
];

const NORDIC: Readonly<Record<string, string>> = {
  Æ: '7e097f4949',
  Ø: '5e3149463d',
  Å: '7814151478',
  æ: '2054785458',
  ø: '3864544c38',
  å: '2054555478',
};

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Columns per character, the gap included. */
export const ADVANCE = GLYPH_WIDTH + 1;

function columnsOf(hex: string): number[] {
  return [0, 2, 4, 6, 8].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function glyphHex(ch: string): string {
  const nordic = NORDIC[ch];
  if (nordic) return nordic;
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 0x20 && code <= 0x7e) return ASCII[code - 0x20] ?? ASCII[31]!;
  // é → e + combining accent: draw the base letter when it is one we have.
  const base = ch.normalize('NFD')[0];
  if (base !== undefined && base !== ch) return glyphHex(base);
  return ASCII['?'.charCodeAt(0) - 0x20]!;
}

/** Calls `dot(x, y)` for every dark pixel of `text` at `scale`, the text's top-left corner at (0, 0). */
export function drawText(text: string, scale: number, dot: (x: number, y: number) => void): void {
  [...text].forEach((ch, i) => {
    columnsOf(glyphHex(ch)).forEach((bits, col) => {
      for (let row = 0; row < GLYPH_HEIGHT; row += 1)
        if ((bits >> row) & 1)
          for (let dy = 0; dy < scale; dy += 1)
            for (let dx = 0; dx < scale; dx += 1) dot((i * ADVANCE + col) * scale + dx, row * scale + dy);
    });
  });
}

/** Width in pixels of `text` at `scale`, without the gap after the last character. */
export function textWidth(text: string, scale: number): number {
  const n = [...text].length;
  return n === 0 ? 0 : (n * ADVANCE - 1) * scale;
}

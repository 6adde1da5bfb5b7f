import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseYamlSubset, UNSUPPORTED } from '../../src/lanes/yaml-subset';

// The fast reader must agree with the `yaml` package on everything it accepts.
function expectSameAsYaml(text: string): void {
  const fast = parseYamlSubset(text);
  expect(fast).not.toBe(UNSUPPORTED);
  expect(fast).toEqual(parse(text));
}

describe('parseYamlSubset', () => {
  it('reads the shipped lanes.yaml exactly as the yaml package does', () => {
    expectSameAsYaml(readFileSync(join(__dirname, '../../lanes.yaml'), 'utf8'));
  });

  it.each([
    ['a bare list with compact mappings', '- id: a\n  kind: vending\n- id: b\n  kind: self-checkout\n'],
    ['a list at the key’s own indentation', 'lanes:\n- id: a\n  msn: "0123"\n- id: b\n'],
    ['extra spaces after the dash', 'lanes:\n  -   id: a\n      n: 1\n'],
    [
      'nested mappings and comments everywhere',
      '# top\nlanes: # the list\n  # first lane\n  - id: a # trailing\n    controller:   # channel\n      type: log\n\n    enabled: true\n',
    ],
    ['CRLF line ends and a BOM', "\uFEFFlanes:\r\n  - id: a\r\n    msn: '1234'\r\n"],
    ['quotes with doubled single quotes and a # inside', "a: 'it''s #1'\nb: \"say 'hi' # not a comment\"\n"],
    [
      'plain text with inner colons, hashes and brackets',
      'a: https://x.example/a#b\nb: Shop [3], till 2\nc: a:b\n',
    ],
    [
      'core-schema scalars',
      'a: ~\nb: null\nc: Null\nd: TRUE\ne: false\nf: 0o17\ng: 0x1F\nh: -42\ni: +7\nj: 1.5\nk: 1e3\nl: .inf\nm: -.Inf\nn: 010\no: 1.\np: .5\nq: 12.50\n',
    ],
    [
      'core-schema look-alikes that stay text',
      'a: yes\nb: on\nc: 1_000\nd: 0b101\ne: 12:30\nf: nulls\ng: true-ish\n',
    ],
    ['empty values', 'a:\nb: ""\nc: \'\'\nd:\n  - \n  -\n'],
    ['a list of scalars and a list of lists', 'a:\n  - 1\n  - two\n  - - x\n    - y\n'],
    ['trailing spaces', 'a: b   \nc:   \n  d: 1  \n'],
  ])('agrees with the yaml package on %s', (_name, text) => {
    expectSameAsYaml(text);
  });

  it('agrees with the yaml package on a generated 500-lane file', () => {
    const lines = ['lanes:'];
    for (let i = 0; i < 500; i++)
      lines.push(
        `  - id: lane-${i}`,
        `    kind: ${i % 2 ? 'vending' : 'self-checkout'}`,
        `    msn: '${1000 + i}'`,
        `    description: Lane ${i}, hall ${i % 9} # note`,
        `    maxAmount: ${i * 100}`,
        `    enabled: ${i % 3 === 0}`,
        '    controller:',
        `      type: webhook`,
        `      url: "https://h${i}.example.com/x"`,
      );
    expectSameAsYaml(lines.join('\n'));
  });

  it('agrees with the yaml package on 2,000 random documents wherever it accepts one', () => {
    // Deterministic PRNG so a failure reproduces; the pieces mix valid and awkward YAML on purpose.
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65536) % n;
    };
    const scalars = [
      'x',
      '1',
      '-1',
      '0.5',
      'true',
      'null',
      '~',
      "'q'",
      '"d"',
      "'it''s'",
      'a b',
      'a:b',
      'a #c',
      '.inf',
      '0x1f',
      '0o7',
      '1e3',
      'no',
      'é ø',
      '-x',
      '+1',
      "''",
      '""',
      'a: b',
      '[x]',
      'x]',
      '#',
      '- x',
      '? x',
    ];
    const keys = ['a', 'b', 'id', 'kind', 'x_y', 'k-1', 'a', 'Z'];
    const block = (indent: number, depth: number): string[] => {
      const pad = ' '.repeat(indent);
      const out: string[] = [];
      const asList = rand(3) === 0;
      for (let i = 0, n = 1 + rand(4); i < n; i++) {
        const head = asList ? `${pad}- ` : `${pad}${keys[rand(keys.length)]}:`;
        if (depth < 3 && rand(3) === 0) {
          out.push(asList ? `${pad}-` : head, ...block(indent + 1 + rand(3), depth + 1));
        } else
          out.push(
            `${head}${asList ? '' : ' '}${scalars[rand(scalars.length)]}${rand(5) === 0 ? ' # c' : ''}`,
          );
        if (rand(8) === 0) out.push(rand(2) ? '' : `${pad}# comment`);
      }
      return out;
    };
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const text = block(0, 0).join('\n');
      const fast = parseYamlSubset(text);
      if (fast === UNSUPPORTED) continue;
      accepted++;
      expect({ text, value: fast }).toEqual({ text, value: parse(text) });
    }
    expect(accepted).toBeGreaterThan(300);
  });

  it.each([
    ['a flow mapping', 'a: {type: log}\n'],
    ['a flow sequence', 'a: [1, 2]\n'],
    ['an anchor and alias', 'a: &x 1\nb: *x\n'],
    ['a merge key', 'd: &d\n  x: 1\ne:\n  <<: *d\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a block scalar', 'a: |\n  text\n'],
    ['a multi-line plain scalar', 'a: one\n  two\n'],
    ['an escape in double quotes', 'a: "x\\ty"\n'],
    ['an unterminated quote', "a: 'x\n"],
    ['text after a closing quote', "a: 'x' y\n"],
    ['a tab', 'a:\tb\n'],
    ['a document marker', '---\na: 1\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a quoted key', '"a": 1\n'],
    ['a nested compact mapping', 'a: b: c\n'],
    ['a value ending in a colon', 'a: b:\n'],
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['a scalar document', 'just text\n'],
    ['an empty document', '# nothing\n'],
    ['a __proto__ key', '__proto__: 1\n'],
    ['a lone CR', 'a: 1\rb: 2\n'],
  ])('leaves %s to the yaml package', (_name, text) => {
    expect(parseYamlSubset(text)).toBe(UNSUPPORTED);
  });
});

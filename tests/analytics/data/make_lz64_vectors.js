// Run: npm install lz-string@1.5.0 && node make_lz64_vectors.js > lz64_vectors.json
// Generates LZ-string compressToBase64 vectors with the npm lz-string 1.5.0 package (the library posthog-js used).
const LZ = require('lz-string');
const cases = [];
function add(name, text) { cases.push({name, text, base64: LZ.compressToBase64(text)}); }
add('one_char', 'a');
add('short_word', 'hello');
add('repeated_char', 'a'.repeat(100));   // exercises the "code == dictionary size" branch
add('repetitive_phrase', 'abcabcabcabcabcabcabcabc, abcabc abc!');
add('latin1', 'héllo wörld — ça va? ñ ß');
add('cjk', '日本語のテキストと中文字符');
add('astral', 'emoji 😀🚀 and 𝄞 clef');
let all = ''; for (let i = 1; i < 256; i++) all += String.fromCharCode(i); add('all_latin1_code_units', all);
const events = [];
for (let i = 0; i < 400; i++) {
  events.push({event: i % 3 ? '$pageview' : 'clicked_button', properties: {distinct_id: 'user-' + (i % 37),
    token: 'phc_testkey', $current_url: 'https://example.com/page/' + (i * 7919 % 1000), $lib: 'web',
    $lib_version: '1.30.0', n: i, label: 'ünïcødé ' + i}, timestamp: '2024-01-02T03:04:' + String(i % 60).padStart(2, '0') + '.000Z'});
}
add('posthog_js_batch_400_events', JSON.stringify(events));  // long enough for codes wider than 16 bits
add('posthog_js_single_event', JSON.stringify({event: '$pageview', properties: {distinct_id: 'anon-1', token: 'phc_testkey', $lib: 'web'}}));
process.stdout.write(JSON.stringify({generator: 'npm lz-string 1.5.0, LZString.compressToBase64', cases}, null, 1) + '\n');

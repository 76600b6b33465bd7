/** The login pages' only style sheet, served by Latchkey itself. */
export const LOGIN_CSS = `*,*::before,*::after{box-sizing:border-box}
html{color-scheme:light dark}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1b1b1b}
main{max-width:26rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{margin:0 0 .25rem;font-size:1.5rem}
p{margin:.5rem 0 1rem}
.app{color:#4a4a4a;font-size:.95rem}
.user{font-weight:600;word-break:break-all}
label{display:block;margin:1rem 0 .25rem;font-weight:600}
input[type=text],input[type=password]{width:100%;padding:.6rem .7rem;font:inherit;border:1px solid #767676;border-radius:4px;background:#fff;color:inherit}
input[aria-invalid=true]{border-color:#b00020}
.error{margin:1rem 0;padding:.6rem .8rem;border-left:4px solid #b00020;background:#fdecee;color:#7a0016}
.actions{display:flex;gap:1rem;align-items:center;justify-content:space-between;margin-top:1.5rem}
button,.button{display:inline-block;padding:.6rem 1.4rem;font:inherit;font-weight:600;border:0;border-radius:4px;background:#1f5fbf;color:#fff;text-decoration:none;cursor:pointer}
a{color:#1f5fbf}
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (prefers-color-scheme:dark){body{background:#15171a;color:#e8e8e8}main{background:#22252a}.app{color:#bdbdbd}
input[type=text],input[type=password]{background:#15171a;border-color:#8a8a8a}.error{background:#3a1a1f;color:#ffb4bf}
button,.button{background:#4d8ff0;color:#0b0b0b}a{color:#8ab4f8}}
`;

// Sets the theme before the first paint (no flash of the other one): the stored choice, else the
// system's. lib/state/theme.svelte.ts keeps it current afterwards.
;(function () {
  var theme
  try {
    theme = localStorage.getItem('faultline.theme')
  } catch {
    theme = null // storage disabled: the system preference applies
  }
  if (theme !== 'light' && theme !== 'dark') theme = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
  document.documentElement.dataset.theme = theme
})()

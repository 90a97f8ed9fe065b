try {
  var theme = localStorage.getItem('lore.theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.setAttribute('data-theme', theme);
} catch (e) {
  /* storage unavailable: follow the system */
}

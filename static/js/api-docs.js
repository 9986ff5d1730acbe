// The API reference (/api/schema): Swagger UI from the pinned npm package, started here
// rather than in an inline script (our CSP allows scripts from this origin only).
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    tryItOutEnabled: false,
  });
});

"""The embeddable chat widget's server side: the script a tenant's site loads with one line,
the JSON endpoints that script calls from other origins (config, file upload, the offline
form, the rating), the origin allow-list that guards them, and the admins' snippet page.

The conversation itself runs over the visitor socket (`pishkhan.chat` consumers); this
package only serves what a page on someone else's site needs around it."""

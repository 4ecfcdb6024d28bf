"""The demo knowledge base: real Persian articles from the hosting policy, published."""

from pishkhan.knowledge.demo import seed_hosting_articles
from pishkhan.knowledge.models import Article
from pishkhan.search.selectors import search


def test_demo_articles_are_published_searchable_and_seeded_once(alpha):
    # when the demo knowledge base is written twice
    seed_hosting_articles(tenant=alpha.tenant, owner=alpha.owner, agent=alpha.agent)
    seed_hosting_articles(tenant=alpha.tenant, owner=alpha.owner, agent=alpha.agent)
    articles = Article.objects.filter(tenant=alpha.tenant)
    # then there is one set: Persian articles, an English translation, an internal one, a draft
    assert 8 <= articles.filter(language="fa", status="published", visibility="public").count()
    english = articles.get(language="en")
    assert english.translation is not None
    assert articles.filter(visibility="internal").count() == 1
    assert articles.filter(status="draft").count() == 1
    # and a visitor's search with an Arabic keyboard finds the DNS article
    page = search(tenant=alpha.tenant, query="رکوردهاي DNS", kinds=["article"], audience="public")
    titles = [hit.title for hit in page.hits]
    assert "تنظیم رکوردهای DNS دامنه" in titles
    # and the help centre shows the articles
    assert "تنظیم رکوردهای DNS دامنه" in alpha.client().get("/help/").content.decode()
